import Foundation
import Storage
import TestSupport
import Testing

/// The orchestrator as a user runs it: `flowline server` and the DAG commands.
@Suite("flowline server and the DAG commands", .serialized)
struct OrchestratorProcessTests {
    static let crashDAG = """
        schedule: "@once"
        start_date: 2026-01-01
        default_args: {retries: 1, retry_delay: 0s}
        tasks:
          - {id: first, operator: bash, command: "echo ran >> $MARKS/first-count"}
          - id: slow
            operator: bash
            upstream: [first]
            command: "echo $$ > $MARKS/slow-pid; if [ -f $MARKS/slow-done ]; then echo second try; else touch $MARKS/slow-done; sleep 60; fi"
          - {id: last, operator: bash, upstream: [slow], command: "echo last >> $MARKS/last-count"}
        """

    @Test(
        "After kill -9 mid-run, a restart retries the lost task, kills its leftovers, and reruns nothing that succeeded",
        arguments: TestDatabaseKind.available
    )
    func crashRecovery(kind: TestDatabaseKind) async throws {
        try await withDatabaseArguments(kind) { databaseArguments in
            try await crashRecovery(databaseArguments: databaseArguments)
        }
    }

    /// `["--database", URL]` of a fresh PostgreSQL schema, or `[]` for the default SQLite file.
    func withDatabaseArguments(_ kind: TestDatabaseKind, _ body: @escaping @Sendable ([String]) async throws -> Void) async throws {
        guard kind == .postgresql else { return try await body([]) }
        // A PostgreSQL case never falls back to SQLite: without a server it fails, as the storage tests do.
        guard let server = ProcessInfo.processInfo.environment["FLOWLINE_TEST_POSTGRES_URL"] else {
            throw TestFailure("FLOWLINE_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL")
        }
        try await withTestDatabaseURL(kind) { url in
            guard case .postgresql(let location) = url, let schema = location.searchPath else { throw TestFailure("no schema for \(url)") }
            try await body(["--database", server + (server.contains("?") ? "&" : "?") + "search_path=\(schema)"])
        }
    }

    func crashRecovery(databaseArguments: [String]) async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data")
            let marks = directory.url.appendingPathComponent("marks")
            let dags = data.appendingPathComponent("dags")
            try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: dags, withIntermediateDirectories: true)
            try Data(Self.crashDAG.utf8).write(to: dags.appendingPathComponent("crash.yaml"))
            // Tasks see only the server variables they are given (`--task-env`).
            let arguments =
                ["server", "--port", "0", "--data-dir", data.path, "--no-examples", "--log-level", "warning", "--task-env", "MARKS"]
                + databaseArguments
            let environment = ["MARKS": marks.path]

            let first = try FlowlineProcess(arguments, in: directory.url, environment: environment)
            defer { first.terminate() }
            let pidFile = marks.appendingPathComponent("slow-pid")
            let pidText = { @Sendable in (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) }
            try await eventually(timeout: .seconds(60)) { pidText().flatMap { Int32($0) } != nil }
            let lostPID = try #require(pidText().flatMap { Int32($0) })
            first.signal(SIGKILL)
            _ = try await first.waitForExit()
            #expect(kill(lostPID, 0) == 0, "the task outlives a killed server until recovery")

            let second = try FlowlineProcess(arguments, in: directory.url, environment: environment)
            defer { second.terminate() }
            try await eventually(timeout: .seconds(60)) {
                let listing = try? await FlowlineProcess.run(["dags", "list-runs", "crash", "--data-dir", data.path] + databaseArguments)
                return listing?.stdout.contains("last=success") == true
            }
            let listing = try await FlowlineProcess.run(["dags", "list-runs", "crash", "--data-dir", data.path] + databaseArguments)
            #expect(listing.stdout.contains("| success"), "\(listing.stdout)")
            #expect(try String(contentsOf: marks.appendingPathComponent("first-count"), encoding: .utf8) == "ran\n")
            #expect(try String(contentsOf: marks.appendingPathComponent("last-count"), encoding: .utf8) == "last\n")
            let stat = try? String(contentsOfFile: "/proc/\(lostPID)/stat", encoding: .utf8)
            #expect(stat == nil || stat?.contains(") Z ") == true, "the lost try's process was not stopped")
            let logs = data.appendingPathComponent("logs/dag_id=crash")
            let tries =
                FileManager.default.enumerator(atPath: logs.path)?.compactMap { $0 as? String }.filter {
                    $0.hasSuffix(".log") && $0.contains("task_id=slow")
                } ?? []
            #expect(tries.sorted().map { String($0.split(separator: "/").last ?? "") } == ["attempt=1.log", "attempt=2.log"])
            second.signal()
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test("dags validate lists every import error and exits 1; dags test runs a DAG and prints its logs")
    func dagCommands() async throws {
        try await withTemporaryDirectory { directory in
            let dags = directory.url.appendingPathComponent("dags")
            try FileManager.default.createDirectory(at: dags, withIntermediateDirectories: true)
            try Data("tasks:\n  - {id: a, operator: bsh}\n".utf8).write(to: dags.appendingPathComponent("broken.yaml"))
            try Data("schedul: x\ntasks:\n  - {id: a, operator: empty}\n".utf8).write(to: dags.appendingPathComponent("typo.yaml"))
            let good = "params: {who: {type: string, default: world}}\ntasks:\n  - {id: hi, operator: bash, command: 'echo hello {{ params.who }}'}\n"
            try Data(good.utf8).write(to: dags.appendingPathComponent("good.yaml"))
            let validate = try await FlowlineProcess.run(["dags", "validate", dags.path])
            #expect(validate.status == 1)
            #expect(validate.stdout.contains("broken.yaml:2:23: unknown operator 'bsh'; did you mean 'bash'?"), "\(validate.stdout)")
            #expect(validate.stdout.contains("typo.yaml:1:1: unknown key 'schedul'; did you mean 'schedule'?"))
            #expect(validate.stdout.contains("1 DAG(s) valid, 2 import error(s)."))

            let data = directory.url.appendingPathComponent("data").path
            let test = try await FlowlineProcess.run([
                "dags", "test", "good", "--conf", #"{"who": "Ada"}"#, "--dags-folder", dags.path, "--data-dir", data,
            ])
            #expect(test.status == 0, "\(test.stdout) \(test.stderr)")
            #expect(test.stdout.contains("[hi] ") && test.stdout.contains("INFO stdout: hello Ada"))
            let bad = try await FlowlineProcess.run([
                "dags", "test", "good", "--conf", #"{"who": 3}"#, "--dags-folder", dags.path, "--data-dir", data,
            ])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("is not of type 'string'"), "\(bad.stderr)")
        }
    }

    @Test("flowline up installs the example DAG, points samples_url at its samples service, and the example runs: bash, http, sensor, python")
    func exampleThroughUp() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data").path
            let up = try FlowlineProcess(
                [
                    "up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--data-dir", data,
                    "--log-level", "warning",
                ],
                in: directory.url
            )
            defer { up.terminate() }
            try await up.waitForOutput("Press Ctrl-C to stop.")
            let orchestrator = try up.url(of: "orchestrator")
            let health = try await HTTP.request("GET", orchestrator + "/api/v2/monitor/health")
            #expect(health.status == 200 && health.body.contains(#""scheduler":{"#))
            try await eventually(timeout: .seconds(60)) {
                (try? await FlowlineProcess.run(["variables", "get", "samples_url", "--data-dir", data]))?.stdout.contains("http://127.0.0.1:")
                    == true
            }
            let test = try await FlowlineProcess.run(["dags", "test", "example_hello", "--conf", #"{"who": "Ada", "n": 7}"#, "--data-dir", data])
            #expect(test.status == 0, "\(test.stdout)\n\(test.stderr)")
            #expect(test.stdout.contains("INFO stdout: Ada: 7 samples in run manual__"))
            #expect(test.stdout.contains(#"{"count":7,"greeting":"hello Ada on "#))

            // A run through the server's REST API, logged in as the default admin (alice / bob).
            let anonymous = try await HTTP.request("POST", orchestrator + "/api/v2/dags/example_hello/dagRuns", body: #"{"logical_date": null}"#)
            #expect(anonymous.status == 401)
            let login = try await HTTP.request("POST", orchestrator + "/auth/token", body: #"{"username": "alice", "password": "bob"}"#)
            #expect(login.status == 201)
            let token = try #require(try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])["access_token"] as? String
            let auth = ["Authorization": "Bearer \(token ?? "")"]
            let trigger = try await HTTP.request(
                "POST",
                orchestrator + "/api/v2/dags/example_hello/dagRuns",
                body: #"{"logical_date": null, "conf": {"n": 2}}"#,
                headers: auth
            )
            #expect(trigger.status == 200, "\(trigger.body)")
            let missing = try await HTTP.request("POST", orchestrator + "/api/v2/dags/example_hello/dagRuns", body: #"{"conf": {}}"#, headers: auth)
            #expect(missing.status == 422 && missing.body.contains(#""loc":["body","logical_date"]"#))
            let invalid = try await HTTP.request(
                "POST",
                orchestrator + "/api/v2/dags/example_hello/dagRuns",
                body: #"{"logical_date": null, "conf": {"n": 0}}"#,
                headers: auth
            )
            #expect(invalid.status == 400 && invalid.body.contains("less than the minimum of 1"), "\(invalid.body)")
            let unknown = try await HTTP.request("POST", orchestrator + "/api/v2/dags/nope/dagRuns", body: #"{"logical_date": null}"#, headers: auth)
            #expect(unknown.status == 404)
            try await eventually(timeout: .seconds(60)) {
                (try? await FlowlineProcess.run(["dags", "list-runs", "example_hello", "--data-dir", data]))?.stdout.contains("report=success")
                    == true
            }

            // The CLI as a client of the REST API.
            let server = ["--server", orchestrator]
            let waited = try await FlowlineProcess.run(
                ["dags", "trigger", "example_hello", "--conf", #"{"who": "Bo"}"#, "--run-id", "cli-run", "--wait"] + server
            )
            #expect(waited.status == 0, "\(waited.stdout) \(waited.stderr)")
            #expect(
                waited.stdout.contains("Triggered example_hello run cli-run") && waited.stdout.contains("report: success")
                    && waited.stdout.contains("Run cli-run: success")
            )
            let refused = try await FlowlineProcess.run(["dags", "trigger", "example_hello", "--conf", #"{"n": 500}"#] + server)
            #expect(refused.status != 0 && refused.stderr.contains("400"), "\(refused.stderr)")
            let wrongPassword = try await FlowlineProcess.run(["runs", "list", "example_hello", "--password", "nope"] + server)
            #expect(wrongPassword.status != 0 && wrongPassword.stderr.contains("Invalid credentials"))
            let runs = try await FlowlineProcess.run(["runs", "list", "example_hello"] + server)
            #expect(runs.status == 0 && runs.stdout.contains("cli-run") && runs.stdout.contains("success"))
            let logs = try await FlowlineProcess.run(["tasks", "logs", "example_hello", "cli-run", "say"] + server)
            #expect(logs.status == 0 && logs.stdout.contains("INFO stdout: hello Bo on "), "\(logs.stdout) \(logs.stderr)")
            let paused = try await FlowlineProcess.run(["dags", "pause", "example_hello"] + server)
            #expect(paused.status == 0)
            let listing = try await FlowlineProcess.run(["dags", "list", "--data-dir", data])
            #expect(listing.stdout.contains("example_hello") && listing.stdout.contains("True"))
            #expect(try await FlowlineProcess.run(["dags", "unpause", "example_hello"] + server).status == 0)
            up.signal()
            #expect(try await up.waitForExit() == 0)
        }
    }
}
