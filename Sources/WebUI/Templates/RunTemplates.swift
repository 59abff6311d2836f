/// `/dags/{dag_id}/trigger`: a form made from the DAG's params, and a raw JSON editor.
enum TriggerTemplate {
    static let text = """
        {{<layout}}{{$title}}Trigger {{dag_id}}{{/title}}{{$content}}
        <h1>Trigger <a href="/dags/{{path_id}}">{{dag_id}}</a></h1>
        {{#form_error}}<p class="banner" role="alert">{{form_error}}</p>{{/form_error}}
        <form method="post" action="/dags/{{path_id}}/trigger">
        <input type="hidden" name="csrf_token" value="{{session.csrf}}">
        {{#params}}
        <label for="param-{{name}}">{{name}}{{#type}} <span class="muted">({{type}})</span>{{/type}}</label>
        {{#description}}<div class="muted" id="help-{{name}}">{{description}}</div>{{/description}}
        {{#is_enum}}<select id="param-{{name}}" name="param.{{name}}" aria-describedby="help-{{name}}">{{#options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/is_enum}}
        {{#is_bool}}<select id="param-{{name}}" name="param.{{name}}" aria-describedby="help-{{name}}"><option value="true" {{#checked}}selected{{/checked}}>true</option><option value="false" {{^checked}}selected{{/checked}}>false</option></select>{{/is_bool}}
        {{#is_json}}<textarea id="param-{{name}}" name="param.{{name}}" aria-describedby="help-{{name}}">{{value}}</textarea>{{/is_json}}
        {{#is_input}}<input type="{{input_type}}" {{#is_number}}step="any"{{/is_number}} id="param-{{name}}" name="param.{{name}}" value="{{value}}" aria-describedby="help-{{name}}">{{/is_input}}
        {{#error}}<div class="field-error" role="alert">{{error}}</div>{{/error}}
        {{/params}}
        {{^params}}<p class="muted">This DAG has no params.</p>{{/params}}
        <label for="conf">Configuration JSON <span class="muted">(optional: when given, it is the run's conf instead of the fields above)</span></label>
        <textarea id="conf" name="conf" placeholder="{&quot;key&quot;: &quot;value&quot;}">{{conf}}</textarea>
        {{#conf_error}}<div class="field-error" role="alert">{{conf_error}}</div>{{/conf_error}}
        <label for="note">Note</label><input type="text" id="note" name="note" value="{{note}}">
        <p><button class="primary" type="submit">Trigger</button> <a href="/dags/{{path_id}}">Cancel</a></p>
        </form>
        {{/content}}{{/layout}}
        """
}

/// `/dags/{dag_id}/runs/{run_id}`: a run's tasks and actions.
enum RunTemplate {
    static let text = """
        {{<layout}}{{$title}}{{run_id}}{{/title}}{{$content}}
        <p><a href="/dags/{{path_id}}">{{dag_id}}</a></p>
        <h1><span class="state {{state}}"></span> {{run_id}}</h1>
        <dl class="facts"><dt>State</dt><dd>{{state}}</dd><dt>Type</dt><dd>{{run_type}}</dd><dt>Started</dt><dd>{{start}}</dd><dt>Ended</dt><dd>{{end}}</dd><dt>Duration</dt><dd>{{duration}}</dd><dt>Triggered by</dt><dd>{{triggered_by}}</dd><dt>Conf</dt><dd><code>{{conf}}</code></dd>{{#note}}<dt>Note</dt><dd>{{note}}</dd>{{/note}}</dl>
        {{#can_edit}}<p>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/state" data-confirm="Mark this run failed and stop its tasks?"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="state" value="failed"><button class="danger" type="submit">Cancel / mark failed</button></form>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/state"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="state" value="success"><button type="submit">Mark success</button></form>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/clear"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="only_failed" value="true"><button type="submit">Clear failed tasks</button></form>
        </p>{{/can_edit}}
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Try</th><th scope="col" class="hide-narrow">Started</th><th scope="col" class="hide-narrow">Duration</th><th scope="col">Tracking run</th></tr></thead>
        <tbody>{{#tasks}}<tr><td><a href="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}">{{task_id}}</a></td><td><span class="state {{state}}"></span> {{state}}</td><td>{{try_number}}</td><td class="hide-narrow">{{start}}</td><td class="hide-narrow">{{duration}}</td><td>{{#tracking_run_id}}<a href="{{tracking_link}}">{{tracking_run_id}}</a>{{/tracking_run_id}}</td></tr>{{/tasks}}</tbody>
        </table></div>
        {{/content}}{{/layout}}
        """
}

/// `/dags/{dag_id}/runs/{run_id}/tasks/{task_id}`: a task instance, its tries and logs.
enum TaskInstanceTemplate {
    static let text = """
        {{<layout}}{{$title}}{{task_id}} · {{run_id}}{{/title}}{{$content}}
        <p><a href="/dags/{{path_id}}">{{dag_id}}</a> › <a href="/dags/{{path_id}}/runs/{{run_path}}">{{run_id}}</a></p>
        <h1><span class="state {{state}}"></span> {{task_id}}</h1>
        <dl class="facts"><dt>State</dt><dd>{{state}}</dd><dt>Operator</dt><dd>{{operator}}</dd><dt>Try</dt><dd>{{try_number}} of {{max_tries_plus_one}}</dd><dt>Started</dt><dd>{{start}}</dd><dt>Duration</dt><dd>{{duration}}</dd>{{#message}}<dt>Message</dt><dd>{{message}}</dd>{{/message}}{{#tracking_run_id}}<dt>Tracking run</dt><dd><a href="{{tracking_link}}">{{tracking_run_id}}</a></dd>{{/tracking_run_id}}</dl>
        {{#can_edit}}<p>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}/clear"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><label class="inline"><input type="checkbox" name="downstream" value="true"> with downstream</label> <button type="submit">Clear</button></form>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}/state"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="state" value="success"><button type="submit">Mark success</button></form>
        <form class="inline" method="post" action="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}/state"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="state" value="failed"><button class="danger" type="submit">Mark failed</button></form>
        </p>{{/can_edit}}
        <h2>Tries</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Try</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col" class="hide-narrow">Host</th><th scope="col">Message</th></tr></thead>
        <tbody>{{#tries}}<tr><td><a href="?try={{number}}">{{number}}</a></td><td><span class="state {{state}}"></span> {{state}}</td><td>{{start}}</td><td>{{duration}}</td><td class="hide-narrow">{{host}}</td><td>{{message}}</td></tr>{{/tries}}
        {{^tries}}<tr><td colspan="6" class="muted">Not started yet.</td></tr>{{/tries}}</tbody></table></div>
        <h2>Rendered templates</h2>
        {{#render_error}}<p class="error">{{render_error}}</p>{{/render_error}}
        <div class="table-wrap"><table><thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#rendered}}<tr><td>{{key}}</td><td><pre>{{value}}</pre></td></tr>{{/rendered}}</tbody></table></div>
        {{#has_xcom}}<h2>XCom</h2><div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead><tbody>{{#xcom}}<tr><td>{{key}}</td><td><code>{{value}}</code></td></tr>{{/xcom}}</tbody></table></div>{{/has_xcom}}
        <h2>Log</h2>
        <nav class="tabs" aria-label="Tries">{{#tries}}<a href="?try={{number}}" {{#current}}aria-current="page"{{/current}}>Try {{number}} <span class="state {{state}}"></span></a>{{/tries}}</nav>
        {{#live}}<p class="muted" id="live-state">running — following the log</p><pre id="live-log" data-source="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}/logs/{{shown_try}}/stream?offset={{log_end}}">{{log}}</pre>{{/live}}
        {{^live}}<pre id="task-log">{{log}}</pre>{{/live}}
        {{/content}}{{/layout}}
        """
}
