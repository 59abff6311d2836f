import Foundation
import TestSupport
import Testing

/// What a task's code can reach: the environment it is given, not the server's secrets; with
/// `--task-user`, not the server's files either.
@Suite("Task isolation", .serialized)
struct TaskIsolationTests {
    static let environmentDAG = "tasks:\n  - {id: show, operator: bash, command: env}\n"

    static let secrets = ["FLOWLINE_ADMIN_PASSWORD": "admin-s3cret", "AWS_SECRET_ACCESS_KEY": "aws-s3cret", "MY_SERVICE_TOKEN": "token-s3cret"]

    @Test(
        "Tasks see an allow-list of the server's environment and what --task-env names, never the server's secrets; the data directory is the server's alone"
    )
    func environment() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data")
            let dags = try directory.folder("dags", files: ["env.yaml": Self.environmentDAG])
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            // A signing key an earlier version left on disk is deleted at start.
            try Data(String(repeating: "ab", count: 64).utf8).write(to: data.appendingPathComponent("jwt-secret"))
            let environment = Self.secrets.merging(["EXTRA_VISIBLE": "visible-value", "LC_ALL": "C.UTF-8"]) { $1 }
            let server = try FlowlineProcess(
                [
                    "server", "--port", "0", "--data-dir", data.path, "--dags-folder", dags.path, "--no-examples", "--log-level", "warning",
                    "--task-env", "EXTRA_VISIBLE",
                ],
                in: directory.url,
                environment: environment
            )
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            let client = ["--server", try server.url(of: "orchestrator")]
            let login = ["FLOWLINE_ADMIN_PASSWORD": "admin-s3cret"]
            let run = try await FlowlineProcess.run(["dags", "trigger", "env", "--run-id", "env-run", "--wait"] + client, environment: login)
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            let log = try await FlowlineProcess.run(["tasks", "logs", "env", "env-run", "show"] + client, environment: login).stdout
            for (name, value) in Self.secrets {
                #expect(!log.contains(value) && !log.contains(name), "the task saw \(name)")
            }
            for expected in ["EXTRA_VISIBLE=visible-value", "LC_ALL=C.UTF-8", "FLOWLINE_DAG_ID=env", "FLOWLINE_RUN_ID=env-run", "PATH="] {
                #expect(log.contains(expected), "\(expected) missing from \(log)")
            }
            #expect(try Self.mode(data) == 0o700)
            #expect(try Self.mode(data.appendingPathComponent("orchestrator.db")) == 0o600)
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("jwt-secret").path))
            server.signal()
            #expect(try await server.waitForExit() == 0)
        }
    }

    static let userDAG = """
        tasks:
          - id: who
            operator: bash
            command: >-
              test "$(id -u)" = 65534 && test "$(id -g)" = 65534 && test "$HOME" = /nonexistent &&
              if cat "$DATA_DIR/orchestrator.db" >/dev/null 2>&1; then echo read the database; exit 3; fi &&
              if ls "$DATA_DIR" >/dev/null 2>&1; then echo listed the data directory; exit 4; fi &&
              if ls "$DATA_DIR/logs" >/dev/null 2>&1; then echo listed the logs; exit 5; fi &&
              echo written > out.txt && echo ok
          - id: py
            operator: python
            upstream: [who]
            code: "import json, os, sys; c = json.load(sys.stdin); print(json.dumps({'uid': os.getuid(), 'out': open('out.txt').read().strip(), 'run': c['run_id']}))"
          - id: preload
            operator: bash
            env: {LD_PRELOAD: /nonexistent/flowline-preload.so}
            command: echo "preload=$LD_PRELOAD"
        """

    @Test("With --task-user, tasks run as that user: they write their workspace and read their context, not the server's files")
    func taskUser() async throws {
        guard getuid() == 0 else {
            Issue.record("--task-user needs root to switch users; run the tests as root (CI does)")
            return
        }
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data")
            let dags = try directory.folder("dags", files: ["user.yaml": Self.userDAG])
            let server = try FlowlineProcess(
                [
                    "server", "--port", "0", "--data-dir", data.path, "--dags-folder", dags.path, "--no-examples", "--log-level", "warning",
                    "--task-user", "nobody", "--task-env", "DATA_DIR", "--python", "/usr/bin/python3",
                ],
                in: directory.url,
                environment: ["DATA_DIR": data.path]
            )
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            let client = ["--server", try server.url(of: "orchestrator")]
            let run = try await FlowlineProcess.run(["dags", "trigger", "user", "--run-id", "user-run", "--wait"] + client)
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            let who = try await FlowlineProcess.run(["tasks", "logs", "user", "user-run", "who"] + client).stdout
            #expect(who.contains("INFO stdout: ok"), "\(who)")
            let python = try await FlowlineProcess.run(["tasks", "logs", "user", "user-run", "py"] + client).stdout
            #expect(python.contains(#"{"uid": 65534, "out": "written", "run": "user-run"}"#), "\(python)")
            // The task's LD_PRELOAD reaches the task (whose loader complains once), never the
            // processes that start it as root.
            let preload = try await FlowlineProcess.run(["tasks", "logs", "user", "user-run", "preload"] + client).stdout
            #expect(preload.contains("preload=/nonexistent/flowline-preload.so"), "\(preload)")
            #expect(preload.components(separatedBy: "cannot be preloaded").count - 1 == 1, "\(preload)")
            #expect(try Self.mode(data) == 0o711)
            server.signal()
            #expect(try await server.waitForExit() == 0)
        }
    }

    @Test("--task-user refuses a user that does not exist, with what to do")
    func unknownTaskUser() async throws {
        try await withTemporaryDirectory { directory in
            let result = try await FlowlineProcess.run(["server", "--port", "0", "--data-dir", directory.url.path, "--task-user", "no-such-user-xyz"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("there is no user 'no-such-user-xyz'"), "\(result.stderr)")
        }
    }

    @Test("Passwords given on the command line (a database URL's, the artifacts delete credential) are hidden from other users' ps")
    func commandLinePassword() async throws {
        try await withTemporaryDirectory { directory in
            let server = try FlowlineProcess(
                [
                    "tracking", "serve", "--port", "0", "--data-dir", directory.url.path, "--backend-store-uri",
                    "postgresql://flowline:s3cret-pw@127.0.0.1:1/db",
                    "--artifacts-delete-credential", "admin:del3te-pw",
                ],
                in: directory.url
            )
            defer { server.terminate() }
            let cmdline = "/proc/\(server.processIdentifier)/cmdline"
            @Sendable func shownArguments() -> String {
                (try? String(contentsOfFile: cmdline, encoding: .utf8))?.replacingOccurrences(of: "\u{0}", with: " ") ?? ""
            }
            try await eventually { shownArguments().contains("flowline:*") }
            let shown = shownArguments()
            #expect(shown.contains("postgresql://flowline:*********@127.0.0.1:1/db") && !shown.contains("s3cret"), "\(shown)")
            #expect(shown.contains("--artifacts-delete-credential admin:*********") && !shown.contains("del3te"), "\(shown)")
        }
    }

    static let inspectionDAG = """
        tasks:
          - id: inspect
            operator: bash
            command: >-
              cat /proc/$$/environ >/dev/null &&
              if cat /proc/$PPID/environ >/dev/null 2>&1; then echo read the server environment; exit 3; fi &&
              if head -c 1 /proc/$PPID/mem >/dev/null 2>&1; then echo opened the server memory; exit 4; fi &&
              if ls /proc/$PPID/fd >/dev/null 2>&1; then echo listed the server descriptors; exit 5; fi &&
              echo ok

        """

    @Test("Without --task-user, tasks run as the server's user yet cannot read its memory, environment or descriptors")
    func inspection() async throws {
        try await withTemporaryDirectory { directory in
            // Root may read any process: run the server as nobody, as a user without root would
            // (from a copy of the binary, which nobody may not reach where it was built).
            var launcher: [String] = []
            if getuid() == 0 {
                let copy = directory.url.appendingPathComponent("flowline")
                try FileManager.default.copyItem(at: FlowlineProcess.binary, to: copy)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
                try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: directory.url.path)
                launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy.path]
            }
            let dags = try directory.folder("dags", files: ["inspect.yaml": Self.inspectionDAG])
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dags.path)
            let server = try FlowlineProcess(
                [
                    "server", "--port", "0", "--data-dir", directory.url.appendingPathComponent("data").path, "--dags-folder", dags.path,
                    "--no-examples", "--log-level", "warning",
                ],
                in: directory.url,
                environment: ["FLOWLINE_ADMIN_PASSWORD": "admin-s3cret"],
                launcher: launcher
            )
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            let client = ["--server", try server.url(of: "orchestrator")]
            let login = ["FLOWLINE_ADMIN_PASSWORD": "admin-s3cret"]
            let run = try await FlowlineProcess.run(["dags", "trigger", "inspect", "--run-id", "inspect-run", "--wait"] + client, environment: login)
            let log = try await FlowlineProcess.run(["tasks", "logs", "inspect", "inspect-run", "inspect"] + client, environment: login).stdout
            #expect(run.status == 0 && log.contains("stdout: ok"), "\(run.stdout) \(run.stderr) \(log)")
        }
    }

    static func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? -1) & 0o777
    }
}
