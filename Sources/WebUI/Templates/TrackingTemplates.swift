/// `/experiments`.
enum ExperimentsTemplate {
    static let text = """
        {{<layout}}{{$title}}Experiments{{/title}}{{$content}}
        <h1>Experiments</h1>
        <form class="filters" method="get" action="/experiments" role="search"><div><label for="q">Name</label><input type="text" id="q" name="q" value="{{q}}" placeholder="name contains…"></div><div><button type="submit">Search</button></div></form>
        <div class="table-wrap"><table><thead><tr><th scope="col">Experiment</th><th scope="col">ID</th><th scope="col" class="hide-narrow">Created</th><th scope="col" class="hide-narrow">Artifact location</th></tr></thead>
        <tbody>{{#experiments}}<tr><td><a href="/experiments/{{id}}">{{name}}</a></td><td>{{id}}</td><td class="hide-narrow">{{created}}</td><td class="hide-narrow"><code>{{location}}</code></td></tr>{{/experiments}}
        {{^experiments}}<tr><td colspan="4" class="muted">No experiments.</td></tr>{{/experiments}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/experiments/{id}`: the runs table, sortable, filterable with MLflow's search syntax, paged.
enum ExperimentTemplate {
    static let text = """
        {{<layout}}{{$title}}{{name}}{{/title}}{{$content}}
        <p><a href="/experiments">Experiments</a></p>
        <h1>{{name}}</h1>
        <form class="filters" method="get" action="/experiments/{{id}}" role="search">
        <div><label for="filter">Filter <span class="muted">(MLflow search syntax)</span></label><input type="text" id="filter" name="filter" value="{{filter}}" placeholder="metrics.`test-R2-score` > 0.8 and params.model = 'linear'" class="wide"></div>
        <input type="hidden" name="order" value="{{order}}">
        <div><button type="submit">Search</button></div>
        </form>
        {{#filter_error}}<p class="banner" role="alert">{{filter_error}}</p>{{/filter_error}}
        <form method="get" action="/compare">
        <div class="table-wrap"><table>
        <thead><tr><th scope="col"><span hidden>Select</span></th><th scope="col"><a href="{{sort_name}}">Run</a></th><th scope="col"><a href="{{sort_start}}">Started</a></th><th scope="col">Status</th>{{#param_columns}}<th scope="col"><a href="{{sort}}">{{key}}</a></th>{{/param_columns}}{{#metric_columns}}<th scope="col"><a href="{{sort}}">{{key}}</a></th>{{/metric_columns}}</tr></thead>
        <tbody>{{#runs}}<tr><td><input type="checkbox" name="runs" value="{{run_id}}" aria-label="select {{name}}"></td><td><a href="/runs/{{run_id}}">{{name}}</a></td><td>{{start}}</td><td>{{status}}</td>{{#params}}<td>{{.}}</td>{{/params}}{{#metrics}}<td>{{.}}</td>{{/metrics}}</tr>{{/runs}}
        {{^runs}}<tr><td colspan="4" class="muted">No runs match.</td></tr>{{/runs}}</tbody></table></div>
        <p><button type="submit">Compare selected</button> {{#previous}}<a class="button" href="{{previous}}">← Newer</a>{{/previous}} {{#next}}<a class="button" href="{{next}}">Older →</a>{{/next}} <span class="muted">{{page_note}}</span></p>
        </form>
        {{/content}}{{/layout}}
        """
}

/// `/runs/{id}`: a run's params, metrics with charts, tags, source, artifacts, registered versions.
enum TrackingRunTemplate {
    static let text = """
        {{<layout}}{{$title}}{{name}}{{/title}}{{$content}}
        <p><a href="/experiments/{{experiment_id}}">{{experiment_name}}</a></p>
        <h1>{{name}}</h1>
        <dl class="facts"><dt>Run ID</dt><dd><code>{{run_id}}</code></dd><dt>Status</dt><dd>{{status}}</dd><dt>Started</dt><dd>{{start}}</dd><dt>Duration</dt><dd>{{duration}}</dd><dt>User</dt><dd>{{user}}</dd>
        {{#source_repo}}<dt>Source</dt><dd><code>{{source_repo}}</code> at <code>{{source_commit}}</code></dd>{{/source_repo}}
        {{#dag_run}}<dt>Pipeline</dt><dd>{{#dag_run_link}}<a href="{{dag_run_link}}">{{dag_id}} › {{dag_run}} › {{task_id}}</a>{{/dag_run_link}}{{^dag_run_link}}{{dag_id}} › {{dag_run}} › {{task_id}}{{/dag_run_link}} (try {{try_number}})</dd>{{/dag_run}}</dl>
        {{#versions}}<p>Registered as <a href="/models/{{model_path}}">{{model}} version {{version}}</a> {{#aliases}}<span class="tag">@{{.}}</span>{{/aliases}}</p>{{/versions}}
        <h2>Metrics</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Metric</th><th scope="col">Latest</th><th scope="col">Step</th><th scope="col">History</th></tr></thead>
        <tbody>{{#metrics}}<tr><td>{{key}}</td><td>{{value}}</td><td>{{step}}</td><td>{{{chart}}}</td></tr>{{/metrics}}{{^metrics}}<tr><td colspan="4" class="muted">No metrics.</td></tr>{{/metrics}}</tbody></table></div>
        <h2>Parameters</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Parameter</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#params}}<tr><td>{{key}}</td><td><code>{{value}}</code></td></tr>{{/params}}{{^params}}<tr><td colspan="2" class="muted">No parameters.</td></tr>{{/params}}</tbody></table></div>
        <h2>Artifacts</h2>
        <p class="muted">{{artifact_path}}{{#artifacts_cut}} (the first {{artifacts_cut}} entries; open a folder for the rest){{/artifacts_cut}}</p>
        {{#artifacts}}<ul class="tree">{{#artifacts}}{{>artifact-entry}}{{/artifacts}}</ul>{{/artifacts}}
        {{^artifacts}}<p class="muted">No artifacts here.</p>{{/artifacts}}
        <h2>Tags</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Tag</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#tags}}<tr><td>{{key}}</td><td><code>{{value}}</code></td></tr>{{/tags}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/models` and `/models/{name}`.
enum ModelsTemplate {
    static let text = """
        {{<layout}}{{$title}}Models{{/title}}{{$content}}
        <h1>Registered models</h1>
        <form class="filters" method="get" action="/models" role="search"><div><label for="q">Name</label><input type="text" id="q" name="q" value="{{q}}" placeholder="name contains…"></div><div><button type="submit">Search</button></div></form>
        <div class="table-wrap"><table><thead><tr><th scope="col">Model</th><th scope="col">Latest version</th><th scope="col">Aliases</th><th scope="col" class="hide-narrow">Updated</th></tr></thead>
        <tbody>{{#models}}<tr><td><a href="/models/{{path}}">{{name}}</a></td><td>{{latest}}</td><td>{{#aliases}}<span class="tag">@{{.}}</span>{{/aliases}}</td><td class="hide-narrow">{{updated}}</td></tr>{{/models}}
        {{^models}}<tr><td colspan="4" class="muted">{{#q}}No registered models match.{{/q}}{{^q}}No registered models yet.{{/q}}</td></tr>{{/models}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

enum ModelTemplate {
    static let text = """
        {{<layout}}{{$title}}{{name}}{{/title}}{{$content}}
        <p><a href="/models">Models</a></p>
        <h1>{{name}}</h1>
        <p class="muted">{{description}}</p>
        <p>{{#aliases}}<span class="tag">@{{alias}} → v{{version}}</span>{{/aliases}}</p>
        <div class="table-wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Aliases</th><th scope="col">Stage</th><th scope="col">Source run</th><th scope="col" class="hide-narrow">Created</th><th scope="col" class="hide-narrow">Tags</th></tr></thead>
        <tbody>{{#versions}}<tr><td>{{version}}</td><td>{{#aliases}}<span class="tag">@{{.}}</span>{{/aliases}}</td><td>{{stage}}</td><td>{{#run_id}}<a href="/runs/{{run_id}}">{{run_id}}</a>{{/run_id}}</td><td class="hide-narrow">{{created}}</td><td class="hide-narrow">{{#tags}}<span class="tag">{{key}}={{value}}</span>{{/tags}}</td></tr>{{/versions}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/compare?runs=…`: params side by side (differences marked), metrics overlaid.
enum CompareTemplate {
    static let text = """
        {{<layout}}{{$title}}Compare runs{{/title}}{{$content}}
        <h1>Compare {{count}} runs</h1>
        <div class="table-wrap"><table><thead><tr><th scope="col">Run</th>{{#runs}}<th scope="col"><a href="/runs/{{run_id}}">{{name}}</a><div class="muted"><span class="swatch" style="background:{{color}}"></span> {{run_id}}</div></th>{{/runs}}</tr></thead></table></div>
        <h2>Parameters</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Parameter</th>{{#runs}}<th scope="col">{{name}}</th>{{/runs}}</tr></thead>
        <tbody>{{#params}}<tr {{#differs}}class="differs"{{/differs}}><th scope="row">{{key}}{{#differs}} <span class="tag">differs</span>{{/differs}}</th>{{#values}}<td><code>{{.}}</code></td>{{/values}}</tr>{{/params}}</tbody></table></div>
        <h2>Metrics</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Metric</th>{{#runs}}<th scope="col">{{name}}</th>{{/runs}}<th scope="col">History</th></tr></thead>
        <tbody>{{#metrics}}<tr {{#differs}}class="differs"{{/differs}}><th scope="row">{{key}}</th>{{#values}}<td>{{.}}</td>{{/values}}<td>{{{chart}}}</td></tr>{{/metrics}}</tbody></table></div>
        {{/content}}{{/layout}}
        """
}

/// `/runs/{id}/artifact?path=…`: one artifact shown inline (text, JSON, YAML, CSV, images).
enum ArtifactTemplate {
    static let text = """
        {{<layout}}{{$title}}{{name}}{{/title}}{{$content}}
        <p><a href="/runs/{{run_id}}">← run {{run_id}}</a></p>
        <h1>{{path}}</h1>
        <p><a class="button" href="{{download}}">Download</a> <span class="muted">{{size}}</span></p>
        {{#image}}<img src="{{download}}" alt="{{path}}" style="max-width:100%">{{/image}}
        {{#text}}<pre>{{text}}</pre>{{/text}}
        {{#too_large}}<p class="muted">Too large to show here; download it.</p>{{/too_large}}
        {{/content}}{{/layout}}
        """
}

/// One entry of the artifact tree: a file (inline view, download, size) or a folder (open, its
/// entries below, recursively).
enum ArtifactEntryTemplate {
    static let text = """
        <li>{{#is_dir}}<details open><summary><a href="/runs/{{run_id}}?path={{path}}">{{name}}/</a></summary><ul class="tree">{{#children}}{{>artifact-entry}}{{/children}}</ul></details>{{/is_dir}}{{^is_dir}}<a href="/runs/{{run_id}}/artifact?path={{path}}">{{name}}</a> <span class="muted">{{size}}</span> <a class="muted" href="{{download}}" aria-label="download {{name}}">↓</a>{{/is_dir}}</li>
        """
}
