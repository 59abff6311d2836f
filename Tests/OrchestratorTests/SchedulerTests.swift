import Foundation
import JSON
import OrchestratorDatabase
import Scheduling
import TestSupport
import Testing

@testable import OrchestratorAPI
@testable import TaskExecution
@testable import Workflow

@Suite("Scheduler and executor", .serialized)
struct SchedulerTests {
    @Test("A chain passes XCom through templates; tasks get the FLOWLINE_ environment and a workspace", arguments: TestDatabaseKind.available)
    func chain(kind: TestDatabaseKind) async throws {
        let dag = """
            params: {who: {type: string, default: world}}
            tasks:
              - {id: a, operator: bash, command: "echo '{\\"v\\": 41}'"}
              - {id: b, operator: bash, upstream: [a], env: {V: "{{ xcom.a.v }}"}, command: "echo $(( V + 1 ))"}
              - id: c
                operator: bash
                upstream: [b]
                env: {WHO: "{{ params.who }}"}
                command: test "$FLOWLINE_TASK_ID" = c && test "$FLOWLINE_TRY_NUMBER" = 1 && test "$(pwd)" = "$FLOWLINE_WORKSPACE" && echo "$WHO $FLOWLINE_CONF"
              - {id: d, operator: python, upstream: [c], code: "import json,sys; c=json.load(sys.stdin); print(json.dumps({'b': c['xcom']['b'], 'who': c['params']['who']}))"}
            """
        try await Harness.with(kind, files: ["chain.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("chain", conf: ["who": .string("Ada")]))
            let states = try await harness.states(run)
            #expect(run.state == .success, "\(states)")
            let xcoms = try await harness.store.xcoms(dagID: "chain", runID: run.runID)
            #expect(xcoms["a"]?["return_value"] == .object(["v": .integer(41)]))
            #expect(xcoms["b"]?["return_value"] == .integer(42))
            #expect(xcoms["c"]?["return_value"] == .string(#"Ada {"who":"Ada"}"#))
            #expect(xcoms["d"]?["return_value"] == .object(["b": .integer(42), "who": .string("Ada")]))
            #expect(try harness.log(run, "b").contains("INFO stdout: 42"))
        }
    }

    @Test("A failing try is retried after its delay; each try has its own log", arguments: TestDatabaseKind.available)
    func retries(kind: TestDatabaseKind) async throws {
        let dag = """
            default_args: {retries: 2, retry_delay: 200ms}
            tasks:
              - {id: flaky, operator: bash, command: "if [ -f tried ]; then echo second; else touch tried; echo boom >&2; exit 3; fi"}
            """
        try await Harness.with(kind, files: ["retry.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("retry"))
            #expect(run.state == .success)
            let instance = try await harness.instance(run, "flaky")
            #expect(instance.tryNumber == 2)
            #expect(instance.maxTries == 2)
            let tries = try await harness.store.tries(dagID: "retry", runID: run.runID, taskID: "flaky")
            #expect(tries.map(\.state) == [.upForRetry, .success])
            #expect(tries.first?.message?.contains("exited with code 3") == true)
            let gap = try #require(tries.last?.startDate).timeIntervalSince(try #require(tries.first?.endDate))
            #expect(gap >= 0.2, "retried after \(gap) s")
            #expect(try harness.log(run, "flaky", try: 1).contains("WARNING stderr: boom"))
            #expect(try harness.log(run, "flaky", try: 2).contains("INFO stdout: second"))
        }
    }

    @Test("Failures propagate by trigger rule; exit 99 skips", arguments: TestDatabaseKind.available)
    func failureAndSkip(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: fails, operator: bash, command: "exit 1"}
              - {id: after_failure, operator: empty, upstream: [fails]}
              - {id: cleanup, operator: bash, upstream: [fails], trigger_rule: all_done, command: "echo cleaning"}
              - {id: on_failure, operator: empty, upstream: [fails], trigger_rule: one_failed}
              - {id: skips, operator: bash, command: "exit 99"}
              - {id: after_skip, operator: empty, upstream: [skips]}
              - {id: none_failed_join, operator: empty, upstream: [skips, cleanup], trigger_rule: none_failed}
            """
        try await Harness.with(kind, files: ["rules.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("rules"))
            let states = try await harness.states(run)
            #expect(
                states == [
                    "fails": "failed", "after_failure": "upstream_failed", "cleanup": "success", "on_failure": "success",
                    "skips": "skipped", "after_skip": "skipped", "none_failed_join": "success",
                ]
            )
            // A leaf failed (after_failure is upstream_failed): the run fails.
            #expect(run.state == .failed)
        }
    }

    @Test("execution_timeout stops the whole process group, then the task fails", arguments: TestDatabaseKind.available)
    func timeout(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: slow, operator: bash, execution_timeout: 500ms, command: "sleep 60 & echo $! > child; wait"}
            """
        try await Harness.with(kind, files: ["timeout.yaml": dag]) { harness in
            let started = Date()
            let run = try await harness.finished(try await harness.trigger("timeout"))
            #expect(run.state == .failed)
            #expect(Date().timeIntervalSince(started) < 10)
            let instance = try await harness.instance(run, "slow")
            #expect(instance.message?.contains("execution_timeout") == true)
            let childText = try String(contentsOf: harness.workspace(run).appendingPathComponent("child"), encoding: .utf8)
            let child = try #require(Int32(childText.trimmingCharacters(in: .whitespacesAndNewlines)))
            // Waits for the process to go, with a deadline: a survivor fails the test.
            await #expect(throws: Never.self, "the task's background child \(child) survived") {
                try await eventually(timeout: .seconds(10)) { !processExists(child) }
            }
        }
    }

    @Test("Failing a run stops its running tasks and skips the rest", arguments: TestDatabaseKind.available)
    func cancel(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: long, operator: bash, command: "echo $$ > pid; sleep 60"}
              - {id: next, operator: empty, upstream: [long]}
            """
        try await Harness.with(kind, files: ["cancel.yaml": dag]) { harness in
            let run = try await harness.trigger("cancel")
            let pidFile = harness.workspace(run).appendingPathComponent("pid")
            let pidText = { @Sendable in (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) }
            try await eventually { pidText().flatMap { Int32($0) } != nil }
            let pid = try #require(pidText().flatMap { Int32($0) })
            _ = try await harness.scheduler.setRunState(dagID: "cancel", runID: run.runID, to: .failed)
            let ended = try await harness.finished(run, timeout: .seconds(60))
            #expect(ended.state == .failed)
            let states = try await harness.states(run)
            #expect(states == ["long": "failed", "next": "skipped"])
            await #expect(throws: Never.self, "the task's process group \(pid) survived") {
                try await eventually(timeout: .seconds(10)) { !processExists(-pid) }
            }
        }
    }

    @Test("A waiting sensor holds no executor slot", arguments: TestDatabaseKind.available)
    func sensorsHoldNoSlot(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: wait_for_go, operator: sensor, file: go, poke_interval: 50ms, timeout: 20s}
              - {id: make_go, operator: bash, command: "sleep 0.3; touch go"}
              - {id: done, operator: empty, upstream: [wait_for_go, make_go]}
            """
        // One slot: if the sensor held it, make_go could never run.
        try await Harness.with(kind, files: ["sensor.yaml": dag], parallelism: 1) { harness in
            let run = try await harness.finished(try await harness.trigger("sensor"))
            let states = try await harness.states(run)
            #expect(run.state == .success, "\(states)")
        }
    }

    @Test("Conf is checked against params; clearing reruns a task and what follows it", arguments: TestDatabaseKind.available)
    func paramsAndClear(kind: TestDatabaseKind) async throws {
        let dag = """
            params:
              n: {type: integer, default: 3, minimum: 1, maximum: 10}
            tasks:
              - {id: a, operator: bash, command: "echo a >> ../a-count"}
              - {id: b, operator: bash, upstream: [a], command: "echo {{ params.n }}"}
            """
        try await Harness.with(kind, files: ["params.yaml": dag]) { harness in
            await #expect(throws: OrchestratorError.self) { try await harness.trigger("params", conf: ["n": .integer(11)]) }
            await #expect(throws: OrchestratorError.self) { try await harness.trigger("params", conf: ["n": .string("x")]) }
            await #expect(throws: OrchestratorError.self) { try await harness.trigger("nope") }
            let run = try await harness.finished(try await harness.trigger("params", conf: ["n": .integer(7)]))
            #expect(run.state == .success)
            let cleared = try await harness.scheduler.clear(dagID: "params", runID: run.runID, taskIDs: ["b"], includeDownstream: true)
            #expect(cleared.map(\.taskID) == ["b"])
            let rerun = try await harness.finished(run)
            #expect(rerun.state == .success)
            let b = try await harness.instance(run, "b")
            let a = try await harness.instance(run, "a")
            #expect(b.tryNumber == 2)
            #expect(a.tryNumber == 1)
            let xcoms = try await harness.store.xcoms(dagID: "params", runID: run.runID)
            #expect(xcoms["b"]?["return_value"] == .integer(7))
        }
    }

    @Test("max_active_runs keeps runs apart; a paused DAG's manual runs wait", arguments: TestDatabaseKind.available)
    func limits(kind: TestDatabaseKind) async throws {
        let dag = """
            max_active_runs: 1
            paused: true
            tasks:
              - {id: a, operator: bash, command: "sleep 0.2"}
            """
        try await Harness.with(kind, files: ["limited.yaml": dag]) { harness in
            let runs = [try await harness.trigger("limited"), try await harness.trigger("limited")]
            // Two scheduling passes after the triggers: a paused DAG's runs stay queued through them.
            let before = await harness.scheduler.lastHeartbeat ?? .distantPast
            harness.scheduler.poke()
            try await eventually { (await harness.scheduler.lastHeartbeat ?? .distantPast) > before }
            let afterOnePass = await harness.scheduler.lastHeartbeat ?? .distantPast
            harness.scheduler.poke()
            try await eventually { (await harness.scheduler.lastHeartbeat ?? .distantPast) > afterOnePass }
            let waiting = try await harness.store.run(dagID: "limited", runID: runs[0].runID)
            #expect(waiting.state == .queued)
            try await harness.scheduler.setPaused("limited", false)
            var finished: [DagRun] = []
            for run in runs { finished.append(try await harness.finished(run)) }
            #expect(finished.allSatisfy { $0.state == .success })
            let first = try #require(finished[0].endDate)
            let second = try #require(finished[1].startDate)
            #expect(second >= first, "the runs overlapped")
        }
    }

    @Test("Catchup creates a run per missed interval; without it only the latest", arguments: TestDatabaseKind.available)
    func catchup(kind: TestDatabaseKind) async throws {
        let today = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let start = String(DateText.format(today.addingTimeInterval(-3 * 86_400)).prefix(10))
        let files = [
            "with_catchup.yaml": "schedule: '@daily'\nstart_date: \(start)\ncatchup: true\ntasks:\n  - {id: a, operator: empty}\n",
            "without_catchup.yaml": "schedule: '@daily'\nstart_date: \(start)\ncatchup: false\ntasks:\n  - {id: a, operator: empty}\n",
        ]
        try await Harness.with(kind, files: files) { harness in
            try await eventually {
                let runs = (try? await harness.store.runs(dagID: "with_catchup").runs) ?? []
                return runs.count == 3 && runs.allSatisfy { $0.state == .success }
            }
            let runs = try await harness.store.runs(dagID: "with_catchup").runs
            #expect(
                runs.map { DateText.format($0.logicalDate ?? .distantPast).prefix(10) }.sorted()
                    == (1...3).map { DateText.format(today.addingTimeInterval(Double(-$0) * 86_400)).prefix(10) }.sorted()
            )
            #expect(runs.allSatisfy { $0.runType == .scheduled && $0.runID.hasPrefix("scheduled__") })
            let latest = try await harness.store.runs(dagID: "without_catchup").runs
            #expect(latest.count == 1)
            #expect(latest.first?.dataInterval == DataInterval(start: today.addingTimeInterval(-86_400), end: today))
        }
    }

    @Test("An oversized XCom fails its task with a clear message; a sensor past its timeout fails", arguments: TestDatabaseKind.available)
    func limitsOfXComAndSensors(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: big, operator: bash, command: "python3 -c 'print(\\"x\\" * 600000)'"}
              - {id: json, operator: python, code: "import json; print(json.dumps({'v': 'y' * 200000}))"}
              - {id: never, operator: sensor, file: never-there, poke_interval: 50ms, timeout: 300ms}
            """
        try await Harness.with(kind, files: ["limits.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("limits"))
            #expect(run.state == .failed)
            let big = try await harness.instance(run, "big")
            #expect(big.state == .failed)
            #expect(big.message?.contains("more than the 512 KiB an XCom may hold") == true, "\(big.message ?? "")")
            // A JSON XCom longer than a log line (64 KiB) is put together again from its pieces.
            let json = try await harness.store.xcoms(dagID: "limits", runID: run.runID)["json"]?["return_value"]
            #expect(json == .object(["v": .string(String(repeating: "y", count: 200_000))]))
            let never = try await harness.instance(run, "never")
            #expect(never.state == .failed)
            #expect(never.message?.contains("did not hold within its timeout of 300ms") == true, "\(never.message ?? "")")
        }
    }

    @Test("An http task or sensor refuses an answer larger than its limit, declared or streamed", arguments: [TestDatabaseKind.sqlite])
    func httpAnswerLimits(kind: TestDatabaseKind) async throws {
        let directory = try TemporaryDirectory("flowline-big-answers")
        defer { directory.remove() }
        // Declares 100 MiB and sends a little; or sends 65 MiB with no length, closing at the end.
        let server = """
            import http.server, sys
            class Big(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.0"
                def do_GET(self):
                    self.send_response(200)
                    if self.path == "/declared":
                        self.send_header("Content-Length", str(100 << 20)); self.end_headers(); self.wfile.write(b"x" * 1000)
                    else:
                        self.end_headers()
                        for _ in range(65): self.wfile.write(b"y" * (1 << 20))
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Big)
            open(sys.argv[1] + ".tmp", "w").write(str(server.server_port))
            __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
            server.serve_forever()
            """
        let portFile = directory.url.appendingPathComponent("port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", server, portFile.path]
        // Not this process's output (the test runner reads it to its end), and killed: a
        // SIGTERM that this process ignores is ignored by its children too.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { kill(process.processIdentifier, SIGKILL) }
        try await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: portFile.path) }
        let port = try String(contentsOf: portFile, encoding: .utf8)
        let dag = """
            tasks:
              - {id: declared, operator: http, url: "http://127.0.0.1:\(port)/declared"}
              - {id: streamed, operator: http, url: "http://127.0.0.1:\(port)/streamed", save_to: big.bin}
              - {id: sensed, operator: sensor, http: "http://127.0.0.1:\(port)/streamed", poke_interval: 50ms, timeout: 20s}
            """
        try await Harness.with(kind, files: ["answers.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("answers"))
            for task in ["declared", "streamed", "sensed"] {
                let instance = try await harness.instance(run, task)
                #expect(instance.state == .failed, "\(task)")
                #expect(instance.message?.contains("is larger than") == true, "\(task): \(instance.message ?? "")")
            }
            #expect(!FileManager.default.fileExists(atPath: harness.workspace(run).appendingPathComponent("big.bin").path))
        }
    }

    @Test("A task marked success by hand stops running and lets the run go on", arguments: TestDatabaseKind.available)
    func markTask(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: stuck, operator: bash, command: "sleep 60"}
              - {id: after, operator: bash, upstream: [stuck], command: "echo after"}
            """
        try await Harness.with(kind, files: ["mark.yaml": dag]) { harness in
            let run = try await harness.trigger("mark")
            try await eventually { (try? await harness.instance(run, "stuck").state) == .running }
            _ = try await harness.scheduler.setTaskState(dagID: "mark", runID: run.runID, taskID: "stuck", to: .success)
            let ended = try await harness.finished(run, timeout: .seconds(60))
            #expect(ended.state == .success)
            let after = try await harness.instance(run, "after")
            #expect(after.state == .success)
            await #expect(throws: OrchestratorError.self) {
                try await harness.scheduler.setTaskState(dagID: "mark", runID: run.runID, taskID: "after", to: .running)
            }
        }
    }

    @Test(
        "A 30 MB line without a newline and \\r progress output are logged in bounded lines; the log API reads past any line",
        arguments: [TestDatabaseKind.sqlite]
    )
    func hugeLines(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - id: flood
                operator: bash
                xcom: none
                command: "head -c 30000000 /dev/zero | tr '\\\\0' x; for i in $(seq 1 500); do printf '%d%%\\\\r' $i; done; echo done"
            """
        try await Harness.with(kind, files: ["flood.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("flood"), timeout: .seconds(120))
            let states = try await harness.states(run)
            #expect(run.state == .success, "\(states)")
            let url = TaskLog.url(logsFolder: harness.folders.logs, dagID: "flood", runID: run.runID, taskID: "flood", tryNumber: 1)
            let log = try String(contentsOf: url, encoding: .utf8)
            let lines = log.split(separator: "\n")
            #expect(lines.allSatisfy { $0.utf8.count < LineSplitter.maximumLength + 200 })
            #expect(lines.filter { $0.contains("stdout: xxxx") }.count == 30_000_000 / LineSplitter.maximumLength + 1)
            #expect(log.contains("INFO stdout: 500%") && log.contains("INFO stdout: done"))
        }
    }

    @Test("The log reader returns a line longer than its chunk in pieces instead of nothing")
    func logReaderLongLine() async throws {
        try await withTemporaryDirectory { directory in
            let url = directory.url.appendingPathComponent("attempt=1.log")
            try Data((String(repeating: "y", count: LogReader.maximumChunk + 100) + "\nlast\n").utf8).write(to: url)
            let first = LogReader.read(url, from: 0)
            #expect(first.text.utf8.count == LogReader.maximumChunk && first.end == LogReader.maximumChunk)
            let second = LogReader.read(url, from: first.end)
            #expect(second.text == String(repeating: "y", count: 100) + "\nlast\n")
        }
    }

    @Test("Files are picked up, changed and removed while the scheduler runs", arguments: [TestDatabaseKind.sqlite])
    func folderChanges(kind: TestDatabaseKind) async throws {
        try await Harness.with(kind, files: [:]) { harness in
            let file = harness.folders.dags.appendingPathComponent("late.yaml")
            try Data("tasks:\n  - {id: a, operator: empty}\n".utf8).write(to: file)
            try await eventually { (try? await harness.scheduler.dag("late")) != nil }
            try Data("tasks:\n  - {id: a, operator: nope}\n".utf8).write(to: file)
            try await eventually { (try? await harness.store.importErrors())?.first?.filename == "late.yaml" }
            try FileManager.default.removeItem(at: file)
            // The DAG goes inactive and its import error is dropped in one pass; wait for both.
            try await eventually {
                let inactive = (try? await harness.store.dag("late"))?.isActive == false
                let errors = (try? await harness.store.importErrors()) ?? []
                return inactive && errors.isEmpty
            }
            let errors = try await harness.store.importErrors()
            #expect(errors.isEmpty)
        }
    }
}
