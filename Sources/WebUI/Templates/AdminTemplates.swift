/// `/workers`: Flower's job — each worker with its slots, what it runs, its counts, its heartbeat.
enum WorkersTemplate {
    static let text = """
        {{<layout}}{{$title}}Workers{{/title}}{{$content}}
        <h1>Workers</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <div class="table-wrap"><table><thead><tr><th scope="col">Worker</th><th scope="col">Host</th><th scope="col">Queues</th><th scope="col">State</th><th scope="col">Slots</th><th scope="col">Running tries</th><th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Last heartbeat</th><th scope="col" class="hide-narrow">Version</th><th scope="col">Maintenance</th></tr></thead>
        <tbody>{{#workers}}<tr><td>{{name}} <span class="muted">{{kind}}</span></td><td>{{hostname}}</td><td>{{queues}}</td>\
        <td>{{#problem}}<span class="tag error">{{state}}</span>{{/problem}}{{^problem}}<span class="tag">{{state}}</span>{{/problem}}{{#maintenance_comment}} <span class="muted">{{maintenance_comment}}</span>{{/maintenance_comment}}</td>\
        <td>{{used}} / {{concurrency}}</td><td>{{#running_tries}}<div>{{.}}</div>{{/running_tries}}</td><td>{{succeeded}}</td><td>{{failed}}</td><td>{{heartbeat}}</td><td class="hide-narrow">{{version}}</td>\
        <td>{{#can_edit}}<form class="inline" method="post" action="/workers/{{path}}/maintenance"><input type="hidden" name="csrf_token" value="{{session.csrf}}">\
        {{#maintenance}}<input type="hidden" name="maintenance" value="false"><button type="submit" aria-label="End maintenance of {{name}}">End maintenance</button>{{/maintenance}}\
        {{^maintenance}}<input type="hidden" name="maintenance" value="true"><input name="comment" maxlength="{{comment_limit}}" placeholder="Why (optional)" aria-label="Maintenance comment for {{name}}"> <button type="submit" aria-label="Maintenance for {{name}}">Maintenance</button>{{/maintenance}}\
        </form>{{/can_edit}}{{^can_edit}}{{#maintenance}}yes{{/maintenance}}{{^maintenance}}no{{/maintenance}}{{/can_edit}}</td></tr>{{/workers}}
        {{^workers}}<tr><td colspan="11" class="muted">No worker has registered yet.</td></tr>{{/workers}}</tbody></table></div>
        <p class="muted">A worker in maintenance finishes its running tries and takes no new ones. Start more with <code>flowline worker --server URL</code> (see docs/scaling.md).</p>
        <h2>Active tasks</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Task</th><th scope="col">Run</th><th scope="col">State</th><th scope="col">Try</th><th scope="col">Since</th><th scope="col">Worker</th><th scope="col" class="hide-narrow">PID</th></tr></thead>
        <tbody>{{#active}}<tr><td><a href="/dags/{{dag_path}}/runs/{{run_path}}/tasks/{{task_path}}">{{dag_id}} › {{task_id}}</a></td><td>{{run_id}}</td><td><span class="state {{state}}"></span> {{state}}</td><td>{{try_number}}</td><td>{{since}}</td><td>{{worker}}</td><td class="hide-narrow">{{pid}}</td></tr>{{/active}}
        {{^active}}<tr><td colspan="7" class="muted">Nothing is running.</td></tr>{{/active}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/variables` (admins).
enum VariablesTemplate {
    static let text = """
        {{<layout}}{{$title}}Variables{{/title}}{{$content}}
        <h1>Variables</h1>
        {{#error}}<p class="banner" role="alert">{{error}}</p>{{/error}}
        <div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col" class="hide-narrow">Description</th><th scope="col"><span hidden>Actions</span></th></tr></thead>
        <tbody>{{#variables}}<tr><td><code>{{key}}</code></td><td><code>{{value}}</code></td><td class="hide-narrow">{{description}}</td>
        <td><form class="inline" method="post" action="/variables/delete" data-confirm="Delete the variable {{key}}?"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="key" value="{{key}}"><button class="danger" type="submit" aria-label="Delete {{key}}">Delete</button></form></td></tr>{{/variables}}
        {{^variables}}<tr><td colspan="4" class="muted">No variables.</td></tr>{{/variables}}</tbody></table></div>
        <h2>Set a variable</h2>
        <form method="post" action="/variables"><input type="hidden" name="csrf_token" value="{{session.csrf}}">
        <label for="var-key">Key</label><input type="text" id="var-key" name="key" required value="{{form_key}}">
        <label for="var-value">Value</label><textarea id="var-value" name="value">{{form_value}}</textarea>
        <label for="var-description">Description</label><input type="text" id="var-description" name="description" value="{{form_description}}">
        <p><button class="primary" type="submit">Save</button></p></form>
        {{/content}}{{/layout}}
        """
}

/// `/users` (admins).
enum UsersTemplate {
    static let text = """
        {{<layout}}{{$title}}Users{{/title}}{{$content}}
        <h1>Users</h1>
        {{#error}}<p class="banner" role="alert">{{error}}</p>{{/error}}
        <div class="table-wrap"><table><thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col"><span hidden>Actions</span></th></tr></thead>
        <tbody>{{#users}}<tr><td>{{username}}</td><td>{{role}}</td><td><form class="inline" method="post" action="/users/delete" data-confirm="Delete the user {{username}}?"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="username" value="{{username}}"><button class="danger" type="submit" aria-label="Delete {{username}}">Delete</button></form></td></tr>{{/users}}</tbody></table></div>
        <h2>Add a user</h2>
        <form method="post" action="/users"><input type="hidden" name="csrf_token" value="{{session.csrf}}">
        <label for="user-name">Username</label><input type="text" id="user-name" name="username" required autocomplete="off" value="{{form_username}}">
        <label for="user-password">Password</label><input type="password" id="user-password" name="password" required autocomplete="new-password">
        <label for="user-role">Role</label><select id="user-role" name="role"><option value="viewer">viewer</option><option value="op">op</option><option value="admin">admin</option></select>
        <p><button class="primary" type="submit">Add</button></p></form>
        <h2>Set a password</h2>
        <form method="post" action="/users/password"><input type="hidden" name="csrf_token" value="{{session.csrf}}">
        <label for="password-user">User</label><select id="password-user" name="username">{{#users}}<option value="{{username}}">{{username}}</option>{{/users}}</select>
        <label for="password-new">New password</label><input type="password" id="password-new" name="password" required autocomplete="new-password">
        <p><button type="submit">Set password</button></p></form>
        {{/content}}{{/layout}}
        """
}
