/// `/dags`: every DAG with its schedule, state and recent runs; import errors on top.
enum DAGsTemplate {
    static let text = """
        {{<layout}}{{$title}}DAGs{{/title}}{{$content}}
        <h1>DAGs</h1>
        {{#has_import_errors}}<div class="banner" role="alert"><strong>Import errors</strong><ul>{{#import_errors}}<li><code>{{filename}}</code>: {{message}}</li>{{/import_errors}}</ul></div>{{/has_import_errors}}
        <form class="filters" method="get" action="/dags" role="search">
        <div><label for="search">Name</label><input type="text" id="search" name="search" value="{{search}}" placeholder="dag id contains…"></div>
        <div><label for="tag">Tag</label><input type="text" id="tag" name="tag" value="{{tag}}" placeholder="tag"></div>
        <div><button type="submit">Filter</button></div>
        </form>
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">DAG</th><th scope="col" class="hide-narrow">Owner</th><th scope="col">Schedule</th><th scope="col">Last run</th><th scope="col" class="hide-narrow">Next run</th><th scope="col">Recent runs</th><th scope="col">Paused</th></tr></thead>
        <tbody>
        {{#dags}}<tr>
        <td><a href="/dags/{{path_id}}"><strong>{{dag_id}}</strong></a><div class="muted">{{description}}</div><div>{{#tags}}<a class="tag" href="/dags?tag={{.}}">{{.}}</a>{{/tags}}</div></td>
        <td class="hide-narrow">{{owners}}</td>
        <td><code>{{schedule}}</code></td>
        <td>{{#last_state}}<span class="state {{last_state}}" title="{{last_state}}"></span> {{last_state}}{{/last_state}}{{^last_state}}<span class="muted">none</span>{{/last_state}}</td>
        <td class="hide-narrow">{{next_run}}</td>
        <td class="squares">{{#recent}}<a class="state {{state}}" href="/dags/{{path_id}}?run={{run_path}}" title="{{run_id}}: {{state}}"><span hidden>{{state}}</span></a>{{/recent}}</td>
        <td><form method="post" action="/dags/{{path_id}}/pause" class="inline"><input type="hidden" name="csrf_token" value="{{session.csrf}}"><input type="hidden" name="paused" value="{{toggle_to}}"><button type="submit" {{^can_edit}}disabled{{/can_edit}} aria-label="{{#paused}}Unpause{{/paused}}{{^paused}}Pause{{/paused}} {{dag_id}}">{{#paused}}Paused{{/paused}}{{^paused}}Active{{/paused}}</button></form></td>
        </tr>{{/dags}}
        {{^dags}}<tr><td colspan="7" class="muted">No DAGs{{#search}} match “{{search}}”{{/search}}.</td></tr>{{/dags}}
        </tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/dags/{dag_id}`: the grid of runs × tasks, the graph, the source, the runs.
enum DAGTemplate {
    static let text = """
        {{<layout}}{{$title}}{{dag_id}}{{/title}}{{$content}}
        <h1>{{dag_id}} {{#paused}}<span class="label-state">paused</span>{{/paused}}</h1>
        <p class="muted">{{description}}</p>
        <p>{{#tags}}<span class="tag">{{.}}</span>{{/tags}} <span class="muted">schedule</span> <code>{{schedule}}</code> <span class="muted">owner</span> {{owners}}</p>
        <p>{{#can_trigger}}<a class="button primary" href="/dags/{{path_id}}/trigger">Trigger…</a>{{/can_trigger}}</p>
        <nav class="tabs" aria-label="DAG views"><a href="/dags/{{path_id}}" {{#tab_grid}}aria-current="page"{{/tab_grid}}>Grid</a><a href="/dags/{{path_id}}/graph{{#selected_run}}?run={{run_path}}{{/selected_run}}" {{#tab_graph}}aria-current="page"{{/tab_graph}}>Graph</a><a href="/dags/{{path_id}}/code" {{#tab_code}}aria-current="page"{{/tab_code}}>Code</a></nav>
        {{#tab_grid}}
        <div class="table-wrap"><table class="grid" aria-label="Runs by task">
        <thead><tr><th scope="col">Task</th>{{#runs}}<th scope="col" title="{{run_id}}"><a class="state {{state}}" href="/dags/{{path_id}}/runs/{{run_path}}" aria-label="run {{run_id}}: {{state}}"></a></th>{{/runs}}</tr></thead>
        <tbody>{{#grid}}<tr><th scope="row">{{task_id}}</th>{{#cells}}<td><a class="state {{state}}" href="/dags/{{path_id}}/runs/{{run_path}}/tasks/{{task_path}}" title="{{task_id}} · {{run_id}}: {{state}}" aria-label="{{task_id}} in {{run_id}}: {{state}}"></a></td>{{/cells}}</tr>{{/grid}}</tbody>
        </table></div>
        <h2>Runs</h2>
        <div class="table-wrap"><table>
        <thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">Type</th><th scope="col" class="hide-narrow">Started</th><th scope="col" class="hide-narrow">Duration</th><th scope="col" class="hide-narrow">Conf</th></tr></thead>
        <tbody>{{#run_rows}}<tr><td><a href="/dags/{{path_id}}/runs/{{run_path}}">{{run_id}}</a></td><td><span class="state {{state}}"></span> {{state}}</td><td>{{run_type}}</td><td class="hide-narrow">{{start}}</td><td class="hide-narrow">{{duration}}</td><td class="hide-narrow"><code>{{conf}}</code></td></tr>{{/run_rows}}
        {{^run_rows}}<tr><td colspan="6" class="muted">No runs yet.</td></tr>{{/run_rows}}</tbody></table></div>
        {{/tab_grid}}
        {{#tab_graph}}
        <form class="filters" method="get" action="/dags/{{path_id}}/graph"><div><label for="graph-run">Run</label><select id="graph-run" name="run">{{#graph_runs}}<option value="{{run_id}}" {{#selected}}selected{{/selected}}>{{run_id}} ({{state}})</option>{{/graph_runs}}</select></div><div><button type="submit">Show</button></div></form>
        <div class="card table-wrap">{{{graph_svg}}}</div>{{/tab_graph}}
        {{#tab_code}}<p class="muted">{{file}}</p><pre>{{source}}</pre>{{/tab_code}}
        {{/content}}{{/layout}}
        """
}
