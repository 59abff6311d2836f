import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JSON
import NIOCore
import OrchestratorAPI
import OrchestratorDatabase
import Scheduling
import Storage
import TaskExecution
import TestSupport
import Testing
import WorkerAgent
import Workflow

/// `flowline worker` against a live server: tries pulled over HTTP, queues, fencing, silent
/// workers, maintenance, draining, and the worker API's authentication.
@Suite("Workers", .serialized)
struct WorkerTests {
    static let dags = [
        "chain.yaml": """
        tasks:
          - {id: a, operator: bash, command: "echo from $FLOWLINE_TASK_ID; seq 1 8000; echo '{\\"n\\": 1}'"}
          - {id: b, operator: bash, upstream: [a], command: "echo b saw {{ xcom.a.n }}"}
        """,
        "queues.yaml": """
        tasks:
          - {id: cpu, operator: bash, command: "echo cpu"}
          - {id: gpu, operator: bash, queue: gpu, command: "echo gpu"}
        """,
        "data.yaml": """
        tasks:
          - {id: produce, operator: bash, queue: one, outputs: [data/out.txt], command: "mkdir -p data && echo payload-$FLOWLINE_TASK_ID > data/out.txt"}
          - {id: consume, operator: bash, queue: two, upstream: [produce], inputs: [{from: produce}], command: "cat data/out.txt"}
        """,
        "missing.yaml": """
        tasks:
          - {id: forgetful, operator: bash, outputs: [never.txt], command: "echo no file"}
        """,
        "slow.yaml": """
        default_args: {retries: 1, retry_delay: 1s}
        tasks:
          - {id: s, operator: bash, command: "sleep 2; echo slept"}
        """,
    ]

    /// A live server whose own slots serve `localQueues`, its worker token, and a way to start workers.
    struct Server: Sendable {
        let harness: Harness
        let client: any TestClientProtocol
        let url: URL
        let token: String
        let adminToken: String
        let viewerToken: String

        func worker(_ name: String, queues: [String] = ["default"], concurrency: Int = 4, token: String? = nil) throws -> Worker {
            let directory = try TemporaryDirectory("flowline-worker")
            var configuration = WorkerConfiguration(
                servers: [url],
                token: token ?? self.token,
                name: name,
                queues: queues,
                concurrency: concurrency,
                folders: OrchestratorFolders(
                    dags: directory.url.appendingPathComponent("dags"),
                    logs: directory.url.appendingPathComponent("logs"),
                    workspaces: directory.url.appendingPathComponent("workspaces")
                ),
                python: "python3",
                version: "test"
            )
            configuration.fetchWait = .seconds(1)
            return Worker(configuration: configuration, logger: TestLogger.silent)
        }

        func call(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, token: String?) async throws -> (status: Int, body: String) {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let token { headers[.authorization] = "Bearer \(token)" }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            return (Int(response.status.code), String(buffer: response.body))
        }
    }

    static func withServer(
        localQueues: [String] = [],
        workerTimeout: Duration = .seconds(30),
        _ test: @escaping @Sendable (Server) async throws -> Void
    ) async throws {
        try await Harness.with(
            .sqlite,
            files: dags,
            configure: {
                $0.localQueues = localQueues
                $0.workerTimeout = workerTimeout
                $0.workerName = "server-under-test"
            }
        ) { harness in
            let tokenService = await TokenService.generate()
            _ = try await harness.store.createUser("admin", password: "pw-admin", role: .admin)
            _ = try await harness.store.createUser("viewer", password: "pw-viewer", role: .viewer)
            let workerToken = try await harness.store.createWorkerToken("test", createdBy: "test")
            var configuration = OrchestratorConfiguration(
                port: 0,
                database: harness.store.database.url,
                folders: harness.folders,
                exampleRepository: harness.folders.workspaces.appendingPathComponent("unused")
            )
            configuration.host = "127.0.0.1"
            let application = buildOrchestratorApplication(
                configuration: configuration,
                orchestration: Orchestration(scheduler: harness.scheduler, heartbeatInterval: .milliseconds(300)),
                tokens: tokenService,
                version: "test",
                logger: TestLogger.silent
            )
            try await application.test(.live) { client in
                let port = try #require(client.port)
                func login(_ user: String) async throws -> String {
                    let answer = try await client.execute(
                        uri: "/auth/token",
                        method: .post,
                        headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: #"{"username": "\#(user)", "password": "pw-\#(user)"}"#)
                    )
                    return try #require(try jsonDictionary(answer.body)["access_token"] as? String)
                }
                try await test(
                    Server(
                        harness: harness,
                        client: client,
                        url: try #require(URL(string: "http://127.0.0.1:\(port)")),
                        token: workerToken,
                        adminToken: try await login("admin"),
                        viewerToken: try await login("viewer")
                    )
                )
            }
        }
    }

    /// Runs `workers` while `body` runs, then drains them.
    static func running(_ workers: [Worker], _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            do {
                try await body()
            } catch {
                group.cancelAll()
                throw error
            }
            for worker in workers { await worker.drain() }
            try await group.waitForAll()
        }
    }

    @Test("A remote worker runs a chain: XComs, its name as host, the log streamed to the server, its counts")
    func remoteChain() async throws {
        try await Self.withServer { server in
            let worker = try server.worker("w-one")
            try await Self.running([worker]) {
                let run = try await server.harness.finished(try await server.harness.trigger("chain"), timeout: .seconds(30))
                #expect(run.state == .success)
                let b = try await server.harness.instance(run, "b")
                #expect(b.hostname == "w-one" && b.worker == "w-one" && b.lease == nil)
                let log = try String(
                    contentsOf: TaskLog.url(logsFolder: server.harness.folders.logs, dagID: "chain", runID: run.runID, taskID: "b", tryNumber: 1),
                    encoding: .utf8
                )
                #expect(log.contains("on worker 'w-one'"), "\(log)")
                #expect(log.contains("b saw 1") && log.contains("Task succeeded"), "\(log)")
                // A short log travels with the report, a longer one is pushed first: whole and in order.
                let logA = try String(
                    contentsOf: TaskLog.url(logsFolder: server.harness.folders.logs, dagID: "chain", runID: run.runID, taskID: "a", tryNumber: 1),
                    encoding: .utf8
                )
                let numbers = logA.split(separator: "\n").compactMap { line in line.split(separator: " ").last.flatMap { Int($0) } }
                let printed = Array(numbers.drop { $0 != 1 }.prefix(8001))
                let firstWrong = zip(printed, 1...8000).first { $0 != $1 }
                // Compared without printing 8,000 numbers when they differ.
                #expect(
                    printed == Array(1...8000),
                    "\(printed.count) numbers; first out of place: \(firstWrong.map { "\($0.0) for \($0.1)" } ?? "none")"
                )
                for text in [log, logA] {
                    let order = ["Starting try 1", "Task succeeded"].map { text.range(of: $0)?.lowerBound }
                    #expect(order[0] != nil && order[1] != nil && order[0]! < order[1]!, "\(text.suffix(300))")
                }
                #expect(log.range(of: "b saw 1")!.lowerBound < log.range(of: "Task succeeded")!.lowerBound)
                let workers = try await server.harness.store.workers()
                let record = try #require(workers.first { $0.name == "w-one" })
                #expect(record.succeeded == 2 && record.failed == 0 && record.kind == .remote && record.queues == ["default"])
                let listed = try await server.call(.get, "/api/v2/workers", token: server.viewerToken)
                #expect(listed.status == 200 && listed.body.contains(#""worker_name":"w-one""#) && listed.body.contains(#""succeeded":2"#))
            }
        }
    }

    @Test("Task data travels: an output stored by one worker is the input of a try on another")
    func dataTravels() async throws {
        try await Self.withServer { server in
            let one = try server.worker("one", queues: ["one"])
            let two = try server.worker("two", queues: ["two", "default"])
            try await Self.running([one, two]) {
                let run = try await server.harness.finished(try await server.harness.trigger("data"), timeout: .seconds(30))
                let states = try await server.harness.states(run)
                #expect(run.state == .success, "\(states)")
                #expect(try await server.harness.instance(run, "consume").worker == "two")
                let xcoms = try await server.harness.store.xcoms(dagID: "data", runID: run.runID)
                #expect(xcoms["consume"]?["return_value"] == .string("payload-produce"))
                let missing = try await server.harness.finished(try await server.harness.trigger("missing"), timeout: .seconds(30))
                #expect(missing.state == .failed)
                #expect(try await server.harness.instance(missing, "forgetful").message?.contains("never.txt") == true)
            }
        }
    }

    @Test("Queues: a task runs only on a worker of its queue; the server's slots serve the default queue")
    func queues() async throws {
        try await Self.withServer(localQueues: ["default"]) { server in
            let gpu = try server.worker("gpu-box", queues: ["gpu"])
            try await Self.running([gpu]) {
                let run = try await server.harness.finished(try await server.harness.trigger("queues"), timeout: .seconds(30))
                #expect(run.state == .success)
                #expect(try await server.harness.instance(run, "gpu").worker == "gpu-box")
                #expect(try await server.harness.instance(run, "cpu").worker == "server-under-test")
                #expect(try await server.harness.instance(run, "gpu").queue == "gpu")
            }
        }
    }

    @Test("A silent worker's try is retried on another worker after the timeout; its late report and log are refused")
    func silentWorker() async throws {
        try await Self.withServer(workerTimeout: .seconds(1)) { server in
            // A worker that claims a try, then goes silent.
            let registered = try await server.call(
                .post,
                "/edge_worker/v1/worker/ghost",
                #"{"hostname": "ghost", "queues": ["default"], "concurrency": 1, "version": "test"}"#,
                token: server.token
            )
            #expect(registered.status == 200)
            let run = try await server.harness.trigger("slow")
            var claimed: [String: Any] = [:]
            for _ in 0..<50 where claimed.isEmpty {
                let fetched = try await server.call(
                    .post,
                    "/edge_worker/v1/jobs/fetch/ghost",
                    #"{"queues": ["default"], "free_slots": 1, "wait": 1}"#,
                    token: server.token
                )
                claimed = try #require(try jsonDictionary(ByteBuffer(string: fetched.body))["jobs"] as? [[String: Any]]).first ?? [:]
            }
            let lease = try #require(claimed["lease"] as? String)
            // After the timeout, a live worker takes the retry.
            let live = try server.worker("live")
            try await Self.running([live]) {
                let ended = try await server.harness.finished(run, timeout: .seconds(30))
                #expect(ended.state == .success)
            }
            let tries = try await server.harness.store.tries(dagID: "slow", runID: run.runID, taskID: "s")
            #expect(tries.map(\.hostname) == ["ghost", "live"])
            #expect(tries.first?.message?.contains("worker 'ghost' sent no heartbeat") == true)
            let firstLog = try String(
                contentsOf: TaskLog.url(logsFolder: server.harness.folders.logs, dagID: "slow", runID: run.runID, taskID: "s", tryNumber: 1),
                encoding: .utf8
            )
            #expect(firstLog.contains("the try was lost: worker 'ghost'") && firstLog.contains("Retrying in 1s"))
            // The ghost wakes up: its report is refused, its log push too, and its heartbeat says stop.
            let late = try await server.call(
                .post,
                "/edge_worker/v1/jobs/states/ghost",
                #"{"reports": [{"dag_id": "slow", "run_id": "\#(run.runID)", "task_id": "s", "try_number": 1, "lease": "\#(lease)", "result": {"state": "success", "xcoms": {}}}]}"#,
                token: server.token
            )
            #expect(late.status == 200 && late.body.contains(#""accepted":false"#))
            let log = try await server.call(
                .post,
                "/edge_worker/v1/logs/push/ghost",
                #"{"dag_id": "slow", "run_id": "\#(run.runID)", "task_id": "s", "try_number": 1, "lease": "\#(lease)", "log_chunk_data": "late\n"}"#,
                token: server.token
            )
            #expect(log.status == 409)
            let beat = try await server.call(
                .patch,
                "/edge_worker/v1/worker/ghost",
                #"{"state": "running", "leases": ["\#(lease)"]}"#,
                token: server.token
            )
            #expect(beat.status == 200 && beat.body.contains(lease))
            #expect(try await server.harness.instance(run, "s").state == .success)
        }
    }

    @Test("Maintenance stops a worker taking tries until it is lifted; draining finishes the running try first")
    func maintenanceAndDrain() async throws {
        try await Self.withServer { server in
            let worker = try server.worker("maint")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                // Registered: put it in maintenance through the API (an op or admin may).
                for _ in 0..<100 where try await server.harness.store.workers().first(where: { $0.name == "maint" }) == nil {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let viewer = try await server.call(.patch, "/api/v2/workers/maint", #"{"maintenance": true}"#, token: server.viewerToken)
                #expect(viewer.status == 403)
                let patched = try await server.call(
                    .patch,
                    "/api/v2/workers/maint",
                    #"{"maintenance": true, "maintenance_comment": "disk swap"}"#,
                    token: server.adminToken
                )
                #expect(patched.status == 200 && patched.body.contains(#""state":"maintenance""#))
                try await Task.sleep(for: .seconds(1))  // the next heartbeat tells the worker
                let run = try await server.harness.trigger("slow")
                try await Task.sleep(for: .seconds(2))
                #expect(try await server.harness.instance(run, "s").state == .queued)
                _ = try await server.call(.patch, "/api/v2/workers/maint", #"{"maintenance": false}"#, token: server.adminToken)
                for _ in 0..<200 where try await server.harness.instance(run, "s").state != .running {
                    try await Task.sleep(for: .milliseconds(25))
                }
                // Drain while the try runs: it finishes and is reported before the worker stops.
                await worker.drain()
                try await group.waitForAll()
                #expect(try await server.harness.instance(run, "s").state == .success)
                #expect(try await server.harness.store.workers().first { $0.name == "maint" }?.reportedState == .stopped)
            }
        }
    }

    @Test("A worker started again first stops what its earlier life left running, and only that")
    func leftovers() async throws {
        @Sendable func sleeper(worker: String) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["sleep", "30"]
            process.environment = ["FLOWLINE_WORKER": worker]
            try process.run()
            return process
        }
        try await Self.withServer { server in
            let mine = try sleeper(worker: "phoenix")
            let other = try sleeper(worker: "phoenix-2")
            defer {
                mine.terminate()
                other.terminate()
            }
            // Let setsid exec sleep, with its environment, before the worker looks.
            try await Task.sleep(for: .milliseconds(300))
            // By environment, not by `Process`: setsid may fork, and its parent exits at once.
            let tagged = { @Sendable (name: String) in ChildProcess.processGroups(withEnvironment: ["FLOWLINE_WORKER=\(name)"]) }
            #expect(!tagged("phoenix").isEmpty && !tagged("phoenix-2").isEmpty)
            defer { for group in tagged("phoenix-2") { kill(-group, SIGKILL) } }
            let worker = try server.worker("phoenix")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                for _ in 0..<200 where !tagged("phoenix").isEmpty { try await Task.sleep(for: .milliseconds(25)) }
                #expect(tagged("phoenix").isEmpty, "the earlier life's process was not stopped")
                #expect(!tagged("phoenix-2").isEmpty, "another worker's process was stopped")
                await worker.drain()
                try await group.waitForAll()
            }
        }
    }

    @Test("Worker tokens: none, wrong, revoked or a user's are refused; only admins create them")
    func tokens() async throws {
        try await Self.withServer { server in
            let body = #"{"hostname": "h", "queues": ["default"], "concurrency": 1, "version": "test"}"#
            #expect(try await server.call(.post, "/edge_worker/v1/worker/x", body, token: nil).status == 401)
            #expect(try await server.call(.post, "/edge_worker/v1/worker/x", body, token: "flw_wrong").status == 401)
            #expect(try await server.call(.post, "/edge_worker/v1/worker/x", body, token: server.adminToken).status == 401)
            #expect(try await server.call(.post, "/api/v2/workerTokens", #"{"name": "v"}"#, token: server.viewerToken).status == 403)
            let created = try await server.call(.post, "/api/v2/workerTokens", #"{"name": "second"}"#, token: server.adminToken)
            #expect(created.status == 201)
            let token = try #require(try jsonDictionary(ByteBuffer(string: created.body))["token"] as? String)
            #expect(try await server.call(.post, "/edge_worker/v1/worker/x", body, token: token).status == 200)
            #expect(try await server.call(.post, "/api/v2/workerTokens", #"{"name": "second"}"#, token: server.adminToken).status == 409)
            #expect(try await server.call(.delete, "/api/v2/workerTokens/second", token: server.adminToken).status == 204)
            #expect(try await server.call(.post, "/edge_worker/v1/worker/x", body, token: token).status == 401)
            let listed = try await server.call(.get, "/api/v2/workerTokens", token: server.adminToken)
            #expect(listed.body.contains(#""name":"second""#) && !listed.body.contains(token))
            // A worker with a revoked token stops with a clear error.
            let refused = try server.worker("revoked", token: token)
            await #expect(throws: WorkerServerClient.Failure.self) { try await refused.run() }
        }
    }

    @Test("Bad worker input is refused with what to fix")
    func badInput() async throws {
        try await Self.withServer { server in
            let bad: [(String, String, String)] = [
                (
                    "/edge_worker/v1/worker/bad%20name", #"{"hostname": "h", "queues": ["default"], "concurrency": 1, "version": "t"}"#,
                    "worker's name"
                ),
                ("/edge_worker/v1/worker/ok", #"{"hostname": "h", "queues": ["no spaces"], "concurrency": 1, "version": "t"}"#, "queue"),
                (
                    "/edge_worker/v1/worker/ok", #"{"hostname": "h", "queues": ["default"], "concurrency": 0, "version": "t"}"#,
                    "greater than or equal"
                ),
                ("/edge_worker/v1/worker/ok", #"{"hostname": "h", "queues": [], "concurrency": 1, "version": "t"}"#, "1 to 64 queues"),
                (
                    "/edge_worker/v1/worker/ok",
                    #"{"hostname": "h", "queues": ["default"], "concurrency": 1, "version": "\#(String(repeating: "v", count: 65))"}"#,
                    "version"
                ),
                (
                    "/edge_worker/v1/worker/server-under-test", #"{"hostname": "h", "queues": ["default"], "concurrency": 1, "version": "t"}"#,
                    "server's own"
                ),
            ]
            for (path, body, message) in bad {
                let answer = try await server.call(.post, path, body, token: server.token)
                #expect((400..<500).contains(answer.status) && answer.body.contains(message), "\(path) \(body): \(answer.status) \(answer.body)")
            }
            let unregistered = try await server.call(
                .post,
                "/edge_worker/v1/jobs/fetch/nobody",
                #"{"queues": ["default"], "free_slots": 1}"#,
                token: server.token
            )
            #expect(unregistered.status == 404)
            let garbage = try await server.call(.post, "/edge_worker/v1/jobs/states/nobody", #"{"reports": [{"dag_id": 1}]}"#, token: server.token)
            #expect(garbage.status == 400)
            let fence = #""dag_id": "d", "run_id": "r", "task_id": "t", "try_number": 1, "lease": "l", "result": {"state": "success", "xcoms": {}}"#
            let longLog = String(repeating: "x", count: TryResult.maximumReportedLog + 1)
            for (log, message) in [(#""\#(longLog)""#, "at most \(TryResult.maximumReportedLog) bytes"), ("[1]", "log must be text")] {
                let answer = try await server.call(
                    .post,
                    "/edge_worker/v1/jobs/states/nobody",
                    #"{"reports": [{\#(fence), "log": \#(log)}]}"#,
                    token: server.token
                )
                #expect(answer.status == 400 && answer.body.contains(message), "\(answer.status) \(answer.body)")
            }
        }
    }
}
