import Foundation
import JSON
import Testing

@testable import Workflow

@Suite("DAG files")
struct DAGFileParserTests {
    func parse(_ text: String, file: String = "dag.yaml") -> Result<DAG, DAGFileError> {
        DAGFileParser.parse(text, file: file)
    }

    func error(_ text: String) throws -> DAGFileError {
        guard case .failure(let error) = parse(text) else { throw ParseSucceeded() }
        return error
    }

    struct ParseSucceeded: Error {}

    @Test("The documented format loads, with default_args applied and overridden")
    func fullExample() throws {
        let text = """
            dag_id: hello
            description: Says hello
            schedule: "@daily"
            start_date: 2026-01-01
            catchup: false
            max_active_runs: 1
            max_active_tasks: 16
            paused: false
            tags: [demo]
            params:
              who: {type: string, default: world}
              n: {type: integer, default: 3, minimum: 1, maximum: 100}
            default_args:
              owner: alice
              retries: 1
              retry_delay: 20s
              retry_exponential_backoff: false
              max_retry_delay: 10m
              execution_timeout: 1h
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
                retries: 3
              - id: wait
                operator: sensor
                upstream: [fetch]
                file: samples.json
                poke_interval: 1s
                timeout: 5m
              - id: report
                operator: python
                upstream: [wait]
                script: report.py
                trigger_rule: all_done
            """
        let dag = try parse(text).get()
        #expect(dag.dagID == "hello")
        #expect(dag.schedule == .cron(try CronExpression("0 0 * * *"), preset: "@daily"))
        #expect(dag.startDate == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(dag.maxActiveRuns == 1)
        #expect(dag.tags == ["demo"])
        #expect(dag.params.map(\.name) == ["who", "n"])
        #expect(dag.params(for: ["n": .integer(5)]).values == ["who": .string("world"), "n": .integer(5)])
        #expect(dag.tasks.map(\.taskID) == ["say", "fetch", "wait", "report"])
        let say = try #require(dag.task("say"))
        #expect(say.owner == "alice")
        #expect(say.retries == 1)
        #expect(say.retryDelay == .seconds(20))
        #expect(say.maxRetryDelay == .seconds(600))
        #expect(say.executionTimeout == .seconds(3600))
        #expect(say.environment == ["GREETING": "hello"])
        #expect(dag.task("fetch")?.retries == 3)
        #expect(dag.task("report")?.triggerRule == .allDone)
        #expect(dag.task("fetch")?.arguments["json"] == .object(["n_samples": .string("{{ params.n }}")]))
    }

    @Test("dag_id defaults to the file name")
    func dagIDFromFileName() throws {
        let dag = try parse("tasks:\n  - {id: a, operator: empty}\n", file: "sub/my_pipeline.yml").get()
        #expect(dag.dagID == "my_pipeline")
        #expect(dag.schedule == nil)
    }

    @Test(
        "Every import error names the place and says what to fix",
        arguments: [
            ("dag_id: x\nschedul: '@daily'\ntasks:\n  - {id: a, operator: empty}\n", 2, 1, "unknown key 'schedul'; did you mean 'schedule'?"),
            ("tasks:\n  - id: a\n    operator: bsh\n", 3, 15, "unknown operator 'bsh'; did you mean 'bash'?"),
            ("tasks:\n  - id: a\n    operator: bash\n    comand: x\n", 4, 5, "unknown key 'comand' for a bash task; did you mean 'command'?"),
            (
                "tasks:\n  - {id: a, operator: empty, upstream: [c]}\n  - {id: b, operator: empty, upstream: [a]}\n  - {id: c, operator: empty, upstream: [b]}\n",
                2, 5, "the tasks form a cycle"
            ),
            (
                "tasks:\n  - {id: a, operator: empty, upstream: [fetchh]}\n  - {id: fetch, operator: empty}\n", 2, 5,
                "upstream 'fetchh', which is not a task of this DAG; did you mean 'fetch'?"
            ),
            ("schedule: '61 * * * *'\ntasks:\n  - {id: a, operator: empty}\n", 1, 11, "minute 61 is out of range 0-59"),
            ("schedule: '@sometimes'\ntasks:\n  - {id: a, operator: empty}\n", 1, 11, "unknown schedule preset"),
            ("default_args: {retry_delay: 5 minutes}\ntasks:\n  - {id: a, operator: empty}\n", 1, 29, "'5 minutes' is not a duration"),
            (
                "params:\n  n: {type: integer, default: 300, maximum: 100}\ntasks:\n  - {id: a, operator: empty}\n", 2, 6,
                "does not fit its own schema: 300 is greater than the maximum of 100"
            ),
            ("tasks: [\n  - a\n", 2, 3, "not valid YAML"),
            ("tasks:\n  - {id: a, operator: bash}\n", 2, 5, "bash task 'a' needs 'command'"),
            ("tasks:\n  - {id: a, operator: empty}\n  - {id: a, operator: empty}\n", 3, 5, "two tasks have the id 'a'"),
            ("tasks:\n  - {id: a, operator: empty, trigger_rule: all_sucess}\n", 2, 44, "did you mean 'all_success'?"),
            ("description: x\n", 1, 1, "the DAG has no 'tasks'"),
            ("tasks:\n  - {id: 'a b', operator: empty}\n", 2, 10, "may contain only letters"),
            ("tasks:\n  - {id: '..', operator: empty}\n", 2, 10, "cannot be '.' or '..'"),
            ("dag_id: '.'\ntasks:\n  - {id: a, operator: empty}\n", 1, 9, "cannot be '.' or '..'"),
            ("start_date: tomorrow\ntasks:\n  - {id: a, operator: empty}\n", 1, 13, "is not a date"),
        ] as [(String, Int, Int, String)]
    )
    func importErrors(text: String, line: Int, column: Int, message: String) throws {
        let failure = try error(text)
        #expect(failure.message.contains(message), "\(failure)")
        #expect(failure.line == line, "\(failure)")
        #expect(failure.column == column, "\(failure)")
        #expect(failure.file == "dag.yaml")
    }

    @Test(
        "Hostile input is an import error, never a crash",
        arguments: [
            "? [a, b]\n: c\n", "", "[]", "42", "tasks: &a [*a]\n", "a: *b\n", "\u{0}\u{1}", String(repeating: "[", count: 5000),
            "tasks:\n  - !!binary aGVsbG8=\n", "tasks: {a: 1}\n", "tasks:\n  - {id: a, operator: empty, upstream: {x: 1}}\n",
        ]
    )
    func hostileInput(text: String) {
        if case .success = parse(text) { Issue.record("\(text.debugDescription) loaded") }
    }

    @Test("Deep nesting is refused before the YAML reader sees it; a long chain of tasks loads")
    func depth() throws {
        let deep = "tasks: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        #expect(try error(deep).message.contains("nests deeper"))
        var chain = "tasks:\n  - {id: t0, operator: empty}\n"
        for index in 1..<5000 { chain += "  - {id: t\(index), operator: empty, upstream: [t\(index - 1)]}\n" }
        #expect(try parse(chain).get().tasks.count == 5000)
        var loop = chain
        loop = loop.replacingOccurrences(of: "{id: t0, operator: empty}", with: "{id: t0, operator: empty, upstream: [t4999]}")
        #expect(try error(loop).message.contains("the tasks form a cycle: "))
    }

    @Test("A file larger than the limit is refused")
    func tooLarge() throws {
        let failure = try error("description: \"" + String(repeating: "x", count: DAGFileParser.maximumFileSize) + "\"\n")
        #expect(failure.message.contains("larger than"))
    }

    @Test("Operator settings are checked at load time")
    func operatorSettings() throws {
        #expect(try error("tasks:\n  - {id: s, operator: sensor}\n").message.contains("exactly one of 'file', 'http' or 'delay'"))
        #expect(try error("tasks:\n  - {id: p, operator: python}\n").message.contains("needs 'script'"))
        #expect(try error("tasks:\n  - {id: h, operator: http, url: x, json: {}, body: y}\n").message.contains("not both"))
    }
}

/// What the fuzzer found in the DAG loader, kept as regression tests: each used to crash the
/// server or hang it.
@Suite("DAG loader findings of the fuzzer", .timeLimit(.minutes(1)))
struct DAGLoaderFindingsTests {
    func message(_ text: String) -> String? {
        guard case .failure(let error) = DAGFileParser.parse(text, file: "f.yaml") else { return nil }
        return error.message
    }

    @Test(
        "Durations past a hundred years are import errors, not a crash",
        arguments: [
            "tasks:\n  - {id: s, operator: sensor, delay: 1s, timeout: 9999999999999999999s}\n",
            "default_args: {retry_delay: 1e300}\ntasks:\n  - {id: a, operator: empty}\n",
            "schedule: every 9999999999999999d\ntasks:\n  - {id: a, operator: empty}\n",
        ]
    )
    func hugeDurations(text: String) {
        #expect(message(text)?.contains("longer than a hundred years") == true, "\(message(text) ?? "loaded")")
    }

    @Test("A sensor's templated timeout that renders to a huge duration fails its try, not the server")
    func renderedDuration() {
        #expect(throws: DAGFileError.Problem.self) { try DurationText.parse("99999999999999999999s") }
    }

    @Test("Nested YAML aliases that name billions of values are refused at once")
    func aliasBomb() {
        var text = "params:\n  p0: &a0 [" + Array(repeating: "\"xxxxxxxxxxxxxxxx\"", count: 10).joined(separator: ",") + "]\n"
        for level in 1...8 { text += "  p\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",") + "]\n" }
        text += "tasks:\n  - {id: a, operator: empty}\n"
        #expect(message(text)?.contains("more than 100000 values") == true, "\(message(text) ?? "loaded")")
    }

    @Test("Loops over ranges are refused in every template (Stencil builds the range whole)")
    func ranges() {
        let command = "tasks:\n  - {id: a, operator: bash, command: \"{% for i in 0...params.n %}x{% endfor %}\"}\n"
        #expect(message(command)?.contains("loops over a range") == true, "\(message(command) ?? "loaded")")
        let env = "tasks:\n  - id: a\n    operator: bash\n    env: {X: \"{% for i in 1...10000000000 %}x{% endfor %}\"}\n    command: echo\n"
        #expect(message(env)?.contains("loops over a range") == true, "\(message(env) ?? "loaded")")
    }

    @Test("A quote or apostrophe inside a plain value does not switch off the nesting check", arguments: ["it's mine", #"5" screen"#])
    func apostrophe(description: String) {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let text = "description: \(description)\nparams: {p: \(deep)}\ntasks:\n  - {id: a, operator: empty}\n"
        #expect(message(text)?.contains("nests deeper than 64 levels") == true, "\(message(text) ?? "loaded")")
    }
}
