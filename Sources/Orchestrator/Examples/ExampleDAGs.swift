import Foundation

/// The example DAGs `flowline up` and `flowline server` put in the DAGs folder (unless
/// `--no-examples`). A file already there is left alone, so edits survive restarts.
public enum ExampleDAGs {
    /// File name → contents.
    public static let files: [(name: String, text: String)] = [
        ("example_hello.yaml", hello),
        ("example_hello_report.py", helloReport),
    ]

    /// Writes the examples that are missing from `folder`.
    public static func install(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            let url = folder.appendingPathComponent(file.name)
            if !FileManager.default.fileExists(atPath: url.path) {
                try Data(file.text.utf8).write(to: url, options: .atomic)
            }
        }
    }

    static let hello = """
    # A tour of the DAG format: bash, http, a sensor and python, with params, templates and XCom.
    # Trigger it with:  flowline dags test example_hello --conf '{"who": "Ada", "n": 5}'
    dag_id: example_hello
    description: Says hello, fetches samples, waits for the file, reports on it
    schedule: null
    start_date: 2026-01-01
    catchup: false
    max_active_runs: 4
    tags: [example]
    params:
      who: {type: string, default: world, description: Whom to greet}
      n: {type: integer, default: 3, minimum: 1, maximum: 100, description: How many samples to fetch}
    default_args:
      owner: flowline
      retries: 1
      retry_delay: 2s
      execution_timeout: 5m
      env: {GREETING: hello}
    tasks:
      - id: say
        operator: bash
        command: echo "$GREETING {{ params.who }} on {{ ds }}"
      - id: fetch
        operator: http
        upstream: [say]
        method: POST
        url: "{{ var.samples_url }}/get-samples"
        json: {n_samples: "{{ params.n }}"}
        save_to: samples.json
      - id: wait
        operator: sensor
        upstream: [fetch]
        file: samples.json
        poke_interval: 1s
        timeout: 1m
      - id: report
        operator: python
        upstream: [wait]
        script: example_hello_report.py
        trigger_rule: all_done
    """

    static let helloReport = """
    # Reads the task context (JSON on standard input) and the samples the http task saved.
    import json, os, sys

    context = json.load(sys.stdin)
    with open(os.path.join(os.environ["FLOWLINE_WORKSPACE"], "samples.json")) as handle:
        samples = json.load(handle)
    points = samples.get("samples", [])
    print(f"{context['params']['who']}: {len(points)} samples in run {context['run_id']}")
    print(json.dumps({"count": len(points), "greeting": context["xcom"].get("say")}))
    """
}
