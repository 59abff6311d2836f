import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrchestratorAPI
import OrchestratorDatabase
import Scheduling
import Storage
import TaskExecution
import TestSupport
import Testing
import Workflow

/// The Airflow-shaped REST API over HTTP on a live loopback server, with users of every role.
@Suite("Orchestrator REST API", .serialized)
struct APITests {
    static let dag = """
        params: {n: {type: integer, default: 3, minimum: 1, maximum: 10}}
        tags: [demo]
        tasks:
          - {id: a, operator: bash, command: "echo '{\\"n\\": {{ params.n }}}'"}
          - {id: b, operator: bash, upstream: [a], command: "echo line one; echo line two"}
        """

    /// A server over a scheduler with the DAG `demo`, and a token per role.
    struct Server: Sendable {
        let client: any TestClientProtocol
        let harness: Harness
        let tokens: [Role: String]
        /// The server's token service (its signing key).
        let tokenService: TokenService

        func call(
            _ method: HTTPRequest.Method,
            _ path: String,
            _ body: String? = nil,
            as role: Role? = .admin,
            token: String? = nil,
            headers extra: HTTPFields = [:]
        ) async throws -> (status: HTTPResponse.Status, body: String, headers: HTTPFields) {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let token = token ?? role.flatMap({ tokens[$0] }) { headers[.authorization] = "Bearer \(token)" }
            for field in extra { headers[field.name] = field.value }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            return (response.status, String(buffer: response.body), response.headers)
        }

        func json(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, as role: Role = .admin) async throws -> [String: Any] {
            let answer = try await call(method, path, body, as: role)
            guard (200..<300).contains(answer.status.code) else { throw TestFailure("\(method) \(path): \(answer.status) \(answer.body)") }
            return try jsonDictionary(ByteBuffer(string: answer.body))
        }
    }

    static func withServer(_ kind: TestDatabaseKind = .sqlite, _ test: @escaping @Sendable (Server) async throws -> Void) async throws {
        try await Harness.with(kind, files: ["demo.yaml": dag]) { harness in
            let tokenService = await TokenService.generate()
            for role in Role.allCases {
                _ = try await harness.store.createUser("user-\(role.rawValue)", password: "pw-\(role.rawValue)", role: role)
            }
            var configuration = OrchestratorConfiguration(
                port: 0,
                database: harness.store.database.url,
                folders: harness.folders,
                exampleRepository: harness.folders.workspaces.appendingPathComponent("unused")
            )
            configuration.host = "127.0.0.1"
            let application = buildOrchestratorApplication(
                configuration: configuration,
                orchestration: Orchestration(scheduler: harness.scheduler),
                tokens: tokenService,
                version: "test",
                logger: TestLogger.silent
            )
            try await application.test(.live) { client in
                var issued: [Role: String] = [:]
                for role in Role.allCases {
                    let login = try await client.execute(
                        uri: "/auth/token",
                        method: .post,
                        headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: #"{"username": "user-\#(role.rawValue)", "password": "pw-\#(role.rawValue)"}"#)
                    )
                    #expect(login.status == .created)
                    issued[role] = try #require(try jsonDictionary(login.body)["access_token"] as? String)
                }
                try await test(Server(client: client, harness: harness, tokens: issued, tokenService: tokenService))
            }
        }
    }

    @Test("Login gives a bearer token; wrong passwords get 401, then 429 after five tries")
    func login() async throws {
        try await Self.withServer { server in
            let bad = try await server.call(.post, "/auth/token", #"{"username": "user-op", "password": "nope"}"#, as: nil)
            #expect(bad.status == .unauthorized && bad.body.contains("Invalid credentials"))
            let unknown = try await server.call(.post, "/auth/token", #"{"username": "ghost", "password": "nope"}"#, as: nil)
            #expect(unknown.status == .unauthorized)
            let missing = try await server.call(.post, "/auth/token", #"{"username": "user-op"}"#, as: nil)
            #expect(missing.status == .badRequest && missing.body.contains("Username and password must be provided"))
            let extra = try await server.call(.post, "/auth/token", #"{"username": "a", "password": "b", "role": "admin"}"#, as: nil)
            #expect(extra.status == .unprocessableContent)
            let form = try await server.call(
                .post,
                "/auth/token",
                "username=user-viewer&password=pw-viewer",
                as: nil,
                headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            #expect(form.status == .created && form.body.contains(#""token_type":"bearer""#))
            for _ in 0..<4 { _ = try await server.call(.post, "/auth/token", #"{"username": "user-op", "password": "nope"}"#, as: nil) }
            let throttled = try await server.call(.post, "/auth/token", #"{"username": "user-op", "password": "pw-op"}"#, as: nil)
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)
            // Other users are not throttled.
            let admin = try await server.call(.post, "/auth/token", #"{"username": "user-admin", "password": "pw-admin"}"#, as: nil)
            #expect(admin.status == .created)
            // Guessing across many user names from one address is throttled too (ten failures).
            for index in 0..<4 { _ = try await server.call(.post, "/auth/token", #"{"username": "ghost\#(index)", "password": "nope"}"#, as: nil) }
            let sprayed = try await server.call(.post, "/auth/token", #"{"username": "user-admin", "password": "pw-admin"}"#, as: nil)
            #expect(sprayed.status == .tooManyRequests, "\(sprayed.body)")
        }
    }

    @Test("bcrypt runs one at a time off the shared threads; a flood of logins beyond the queue is refused at once")
    func passwordHasher() async throws {
        let hasher = PasswordHasher(maximumWaiting: 4)
        let hash = try await hasher.hash("secret")
        let results = await withTaskGroup(of: Result<Bool, AuthError>.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    do throws(AuthError) { return .success(try await hasher.verify("secret", hash: hash)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let verified = results.filter { if case .success(true) = $0 { true } else { false } }.count
        let refused = results.filter { if case .failure(.busy) = $0 { true } else { false } }.count
        #expect(verified + refused == 12 && verified >= 4 && refused >= 1, "verified \(verified), refused \(refused)")
    }

    /// Every route, with the least role it needs.
    static let routes: [(HTTPRequest.Method, String, String?, Role)] = [
        (.get, "/api/v2/dags", nil, .viewer),
        (.get, "/api/v2/dags/demo", nil, .viewer),
        (.get, "/api/v2/dags/demo/details", nil, .viewer),
        (.get, "/api/v2/dags/demo/tasks", nil, .viewer),
        (.get, "/api/v2/dags/demo/tasks/a", nil, .viewer),
        (.get, "/api/v2/importErrors", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns", nil, .viewer),
        (.get, "/api/v2/dags/~/dagRuns", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a/tries", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a/logs/1", nil, .viewer),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a/xcomEntries", nil, .viewer),
        (.patch, "/api/v2/dags/demo", #"{"is_paused": false}"#, .op),
        (.post, "/api/v2/dags/demo/dagRuns", #"{"logical_date": null}"#, .op),
        (.patch, "/api/v2/dags/demo/dagRuns/RUN", #"{"note": "checked"}"#, .op),
        (.patch, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a", #"{"note": "fine"}"#, .op),
        (.post, "/api/v2/dags/demo/clearTaskInstances", #"{"dry_run": true, "dag_run_id": "RUN"}"#, .op),
        (.get, "/api/v2/variables", nil, .op),
        (.post, "/api/v2/variables", #"{"key": "k-ROLE", "value": "v"}"#, .admin),
        (.get, "/api/v2/variables/k-admin", nil, .op),
        (.patch, "/api/v2/variables/k-admin", #"{"value": "w"}"#, .admin),
        (.get, "/api/v2/dags/demo/dagRuns/RUN/taskInstances/a/xcomEntries/return_value", nil, .viewer),
        (.patch, "/api/v2/dags/demo/dagRuns/RUN", #"{"state": "success"}"#, .op),
        (.delete, "/api/v2/variables/k-admin", nil, .admin),
    ]

    @Test("Every route refuses a missing or bad token (401) and a too-low role (403)")
    func roleBoundaries() async throws {
        try await Self.withServer { server in
            let run = try await server.harness.finished(try await server.harness.trigger("demo"))
            for (method, template, body, needed) in Self.routes {
                let path = template.replacingOccurrences(
                    of: "RUN",
                    with: run.runID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? run.runID
                )
                let body = body?.replacingOccurrences(of: "RUN", with: run.runID)
                let anonymous = try await server.call(method, path, body, as: nil)
                #expect(anonymous.status == .unauthorized, "\(method) \(path) without a token: \(anonymous.status)")
                #expect(!anonymous.body.contains("demo") || anonymous.body.contains("Not authenticated"))
                let forged = try await server.call(method, path, body, as: nil, token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLWFkbWluIn0.forged")
                #expect(forged.status == .unauthorized, "\(method) \(path) with a forged token: \(forged.status)")
                for role in Role.allCases {
                    let answer = try await server.call(method, path, body?.replacingOccurrences(of: "ROLE", with: role.rawValue), as: role)
                    if role >= needed {
                        #expect((200..<300).contains(answer.status.code), "\(method) \(path) as \(role): \(answer.status) \(answer.body)")
                    } else {
                        #expect(answer.status == .forbidden, "\(method) \(path) as \(role): \(answer.status)")
                    }
                }
            }
            // Deleting a run needs op.
            let spare = try await server.harness.finished(try await server.harness.trigger("demo"))
            let sparePath = "/api/v2/dags/demo/dagRuns/" + (spare.runID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? spare.runID)
            #expect(try await server.call(.delete, sparePath, as: .viewer).status == .forbidden)
            #expect(try await server.call(.delete, sparePath, as: nil).status == .unauthorized)
            #expect(try await server.call(.delete, sparePath, as: .op).status == .noContent)
            // An expired token (signed with the server's own key) is refused.
            let admin = try await server.harness.store.user("user-admin")
            let expired = try await server.tokenService.with(lifetime: .seconds(60)).issue(for: admin, now: Date().addingTimeInterval(-3600))
            #expect(try await server.call(.get, "/api/v2/dags", token: expired).status == .unauthorized)
            // A try's tracking token, genuine and current, opens nothing of the orchestrator's API.
            let taskToken = try await server.tokenService.issueTaskToken(dagID: "demo", runID: "r", taskID: "t", lifetime: .seconds(600))
            #expect(try await server.call(.get, "/api/v2/dags", token: taskToken).status == .unauthorized)
            // A token signed with another key (another server, or one before a restart) is refused.
            let foreign = try await TokenService.generate().issue(for: admin)
            #expect(try await server.call(.get, "/api/v2/dags", token: foreign).status == .unauthorized)
            // A deleted user's token stops working at once.
            _ = try await server.harness.store.createUser("temp", password: "temp-pw", role: .admin)
            let login = try await server.call(.post, "/auth/token", #"{"username": "temp", "password": "temp-pw"}"#, as: nil)
            let temporary = try #require(try jsonDictionary(ByteBuffer(string: login.body))["access_token"] as? String)
            #expect(try await server.call(.get, "/api/v2/dags", token: temporary).status == .ok)
            // Changing the password ends the tokens issued before; a new login works.
            try await server.harness.store.setPassword("temp", password: "new-pw")
            #expect(try await server.call(.get, "/api/v2/dags", token: temporary).status == .unauthorized)
            let again = try await server.call(.post, "/auth/token", #"{"username": "temp", "password": "new-pw"}"#, as: nil)
            let renewed = try #require(try jsonDictionary(ByteBuffer(string: again.body))["access_token"] as? String)
            #expect(try await server.call(.get, "/api/v2/dags", token: renewed).status == .ok)
            try await server.harness.store.deleteUser("temp")
            #expect(try await server.call(.get, "/api/v2/dags", token: renewed).status == .unauthorized)
            // Health reports a live scheduler.
            let health = try await server.call(.get, "/api/v2/monitor/health", as: nil)
            #expect(
                health.body.contains(#""scheduler":{"latest_scheduler_heartbeat":"#) && health.body.contains(#""status":"healthy""#),
                "\(health.body)"
            )
            // Unknown routes do not tell anonymous callers whether they exist.
            let unknown = try await server.call(.get, "/api/v2/nothing-here", as: nil)
            #expect(unknown.status == .unauthorized)
            // Health and version need no token.
            #expect(try await server.call(.get, "/api/v2/monitor/health", as: nil).status == .ok)
            #expect(try await server.call(.get, "/api/v2/version", as: nil).status == .ok)
        }
    }

    @Test("Trigger, list, read, note, mark, clear and delete runs as Airflow's API does")
    func runs() async throws {
        try await Self.withServer { server in
            let created = try await server.json(
                .post,
                "/api/v2/dags/demo/dagRuns",
                #"{"dag_run_id": "r1", "logical_date": null, "conf": {"n": 7}, "note": "first"}"#,
                as: .op
            )
            #expect(created["dag_run_id"] as? String == "r1")
            #expect(created["state"] as? String == "queued")
            #expect(created["triggering_user_name"] as? String == "user-op")
            #expect((created["conf"] as? [String: Any])?["n"] as? Int == 7)
            let duplicate = try await server.call(.post, "/api/v2/dags/demo/dagRuns", #"{"dag_run_id": "r1", "logical_date": null}"#)
            #expect(duplicate.status == .conflict)
            let invalid = try await server.call(.post, "/api/v2/dags/demo/dagRuns", #"{"logical_date": null, "conf": {"n": 11}}"#)
            #expect(invalid.status == .badRequest && invalid.body.contains("param 'n'"), "\(invalid.body)")
            let noLogicalDate = try await server.call(.post, "/api/v2/dags/demo/dagRuns", #"{"conf": {}}"#)
            #expect(noLogicalDate.status == .unprocessableContent && noLogicalDate.body.contains(#""loc":["body","logical_date"]"#))
            let badJSON = try await server.call(.post, "/api/v2/dags/demo/dagRuns", #"{"logical_date": nul"#)
            #expect(badJSON.status == .unprocessableContent)
            let unknownDAG = try await server.call(.post, "/api/v2/dags/nope/dagRuns", #"{"logical_date": null}"#)
            #expect(unknownDAG.status == .notFound)

            let run = try await server.harness.finished(try await server.harness.store.run(dagID: "demo", runID: "r1"))
            #expect(run.state == .success)
            let second = try await server.json(
                .post,
                "/api/v2/dags/demo/dagRuns",
                #"{"dag_run_id": "r2", "logical_date": "2026-01-02T00:00:00Z"}"#,
                as: .op
            )
            #expect(second["logical_date"] as? String == "2026-01-02T00:00:00.000000+00:00")
            _ = try await server.harness.finished(try await server.harness.store.run(dagID: "demo", runID: "r2"))

            let listed = try await server.json(.get, "/api/v2/dags/demo/dagRuns?limit=1&order_by=-dag_run_id", as: .viewer)
            #expect(listed["total_entries"] as? Int == 2)
            #expect((listed["dag_runs"] as? [[String: Any]])?.map { $0["dag_run_id"] as? String } == ["r2"])
            let successes = try await server.json(.get, "/api/v2/dags/~/dagRuns?state=success&offset=1", as: .viewer)
            #expect((successes["dag_runs"] as? [[String: Any]])?.count == 1)
            let badOrder = try await server.call(.get, "/api/v2/dags/demo/dagRuns?order_by=password")
            #expect(badOrder.status == .badRequest)

            let instances = try await server.json(.get, "/api/v2/dags/demo/dagRuns/r1/taskInstances", as: .viewer)
            let first = try #require((instances["task_instances"] as? [[String: Any]])?.first)
            #expect(first["task_id"] as? String == "a" && first["state"] as? String == "success" && first["try_number"] as? Int == 1)
            let xcoms = try await server.json(.get, "/api/v2/dags/demo/dagRuns/r1/taskInstances/a/xcomEntries", as: .viewer)
            #expect(((xcoms["xcom_entries"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["n"] as? Int == 7)

            let log = try await server.json(.get, "/api/v2/dags/demo/dagRuns/r1/taskInstances/b/logs/1", as: .viewer)
            let events = (log["content"] as? [[String: Any]])?.compactMap { $0["event"] as? String } ?? []
            #expect(events.contains("line one") && events.contains("line two"))
            #expect(log["continuation_token"] is NSNull)
            let plain = try await server.call(
                .get,
                "/api/v2/dags/demo/dagRuns/r1/taskInstances/b/logs/1",
                as: .viewer,
                headers: [.accept: "text/plain"]
            )
            #expect(plain.status == .ok && plain.body.contains("INFO stdout: line two"))
            #expect(try await server.call(.get, "/api/v2/dags/demo/dagRuns/r1/taskInstances/b/logs/2").status == .notFound)

            let noted = try await server.json(.patch, "/api/v2/dags/demo/dagRuns/r1", #"{"note": "looked at it"}"#, as: .op)
            #expect(noted["note"] as? String == "looked at it")
            let marked = try await server.json(.patch, "/api/v2/dags/demo/dagRuns/r1", #"{"state": "failed"}"#, as: .op)
            #expect(marked["state"] as? String == "failed")
            let badState = try await server.call(.patch, "/api/v2/dags/demo/dagRuns/r1", #"{"state": "running"}"#)
            #expect(badState.status == .unprocessableContent)

            let dryRun = try await server.json(
                .post,
                "/api/v2/dags/demo/clearTaskInstances",
                #"{"dag_run_id": "r1", "task_ids": ["b"], "only_failed": false}"#,
                as: .op
            )
            #expect((dryRun["task_instances"] as? [[String: Any]])?.map { $0["task_id"] as? String } == ["b"])
            #expect(try await server.harness.instance(run, "b").tryNumber == 1)
            _ = try await server.json(
                .post,
                "/api/v2/dags/demo/clearTaskInstances",
                #"{"dry_run": false, "dag_run_id": "r1", "task_ids": ["b"], "only_failed": false}"#,
                as: .op
            )
            let rerun = try await server.harness.finished(run)
            #expect(rerun.state == .success)
            #expect(try await server.harness.instance(run, "b").tryNumber == 2)
            let tries = try await server.json(.get, "/api/v2/dags/demo/dagRuns/r1/taskInstances/b/tries", as: .viewer)
            #expect(tries["total_entries"] as? Int == 2)

            let deleted = try await server.call(.delete, "/api/v2/dags/demo/dagRuns/r2", as: .op)
            #expect(deleted.status == .noContent)
            #expect(try await server.call(.get, "/api/v2/dags/demo/dagRuns/r2").status == .notFound)
        }
    }

    @Test("DAGs: list with filters and paging, pause and unpause, details with params, tasks, import errors")
    func dags() async throws {
        try await Self.withServer { server in
            try Data("tasks:\n  - {id: a, operator: bsh}\n".utf8).write(to: server.harness.folders.dags.appendingPathComponent("broken.yaml"))
            await server.harness.scheduler.reloadIfChanged(force: true)
            let listed = try await server.json(.get, "/api/v2/dags?tags=demo&dag_id_pattern=dem", as: .viewer)
            #expect(listed["total_entries"] as? Int == 1)
            let dag = try #require((listed["dags"] as? [[String: Any]])?.first)
            #expect(dag["dag_id"] as? String == "demo" && dag["is_paused"] as? Bool == false && dag["fileloc"] as? String == "demo.yaml")
            #expect((try await server.json(.get, "/api/v2/dags?dag_id_pattern=zzz"))["total_entries"] as? Int == 0)
            let paused = try await server.json(.patch, "/api/v2/dags/demo", #"{"is_paused": true}"#, as: .op)
            #expect(paused["is_paused"] as? Bool == true)
            #expect((try await server.json(.get, "/api/v2/dags?paused=true"))["total_entries"] as? Int == 1)
            _ = try await server.json(.patch, "/api/v2/dags/demo", #"{"is_paused": false}"#, as: .op)
            #expect(try await server.call(.patch, "/api/v2/dags/demo", #"{"is_paused": "maybe"}"#).status == .unprocessableContent)
            #expect(try await server.call(.get, "/api/v2/dags/nope").status == .notFound)
            let details = try await server.json(.get, "/api/v2/dags/demo/details", as: .viewer)
            #expect(((details["params"] as? [String: Any])?["n"] as? [String: Any])?["value"] as? Int == 3)
            let tasks = try await server.json(.get, "/api/v2/dags/demo/tasks", as: .viewer)
            #expect((tasks["tasks"] as? [[String: Any]])?.map { $0["task_id"] as? String } == ["a", "b"])
            let errors = try await server.json(.get, "/api/v2/importErrors", as: .viewer)
            let error = try #require((errors["import_errors"] as? [[String: Any]])?.first)
            #expect(error["filename"] as? String == "broken.yaml")
            #expect((error["stack_trace"] as? String)?.contains("did you mean 'bash'") == true)
            let id = try #require(error["import_error_id"] as? Int)
            #expect(try await server.call(.get, "/api/v2/importErrors/\(id)").status == .ok)
            #expect(try await server.call(.get, "/api/v2/importErrors/x").status == .unprocessableContent)
        }
    }

    /// `@daily` and `@midnight` name one cron expression; which name the API showed depended on
    /// the order of a dictionary, which changes from one start to the next.
    @Test("A DAG's timetable_summary is its schedule as the DAG file writes it")
    func timetableSummary() async throws {
        try await Self.withServer { server in
            let schedules = ["daily": "@daily", "midnight": "@midnight", "cron": "0 0 * * *", "annually": "@annually", "yearly": "@yearly"]
            for (dagID, schedule) in schedules {
                let text = "schedule: \"\(schedule)\"\npaused: true\ntasks:\n  - {id: a, operator: bash, command: 'true'}\n"
                try Data(text.utf8).write(to: server.harness.folders.dags.appendingPathComponent("\(dagID).yaml"))
            }
            await server.harness.scheduler.reloadIfChanged(force: true)
            for (dagID, schedule) in schedules {
                let dag = try await server.json(.get, "/api/v2/dags/\(dagID)", as: .viewer)
                #expect(dag["timetable_summary"] as? String == schedule, "\(dagID)")
                #expect(dag["timetable_description"] as? String == "Schedule: \(schedule)", "\(dagID)")
            }
        }
    }

    @Test("Variables: create, read, update, delete; admins change them, ops read them")
    func variables() async throws {
        try await Self.withServer { server in
            let created = try await server.call(.post, "/api/v2/variables", #"{"key": "bucket", "value": "s3://x", "description": "where"}"#)
            #expect(created.status == .created)
            #expect(try await server.call(.post, "/api/v2/variables", #"{"key": "bucket", "value": "y"}"#).status == .conflict)
            #expect(try await server.call(.post, "/api/v2/variables", #"{"value": "y"}"#).status == .unprocessableContent)
            let read = try await server.json(.get, "/api/v2/variables/bucket", as: .op)
            #expect(read["value"] as? String == "s3://x" && read["description"] as? String == "where")
            let patched = try await server.json(.patch, "/api/v2/variables/bucket", #"{"value": {"a": 1}}"#)
            #expect(patched["value"] as? String == #"{"a":1}"#)
            #expect(try await server.call(.patch, "/api/v2/variables/bucket", #"{"value": "z"}"#, as: .op).status == .forbidden)
            #expect(try await server.call(.delete, "/api/v2/variables/bucket").status == .noContent)
            #expect(try await server.call(.get, "/api/v2/variables/bucket").status == .notFound)
        }
    }

    @Test("Path- and SQL-looking input is harmless: logs and XComs never read outside the data directory")
    func hostileInput() async throws {
        try await Self.withServer { server in
            let run = try await server.harness.finished(try await server.harness.trigger("demo"))
            let runID = run.runID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? run.runID
            for hostile in ["..%2F..%2F..%2Fetc%2Fpasswd", "..", "%00", "'%20OR%201=1--", "%22;DROP%20TABLE%20dags;--", "a%2F..%2Fb"] {
                for path in [
                    "/api/v2/dags/\(hostile)", "/api/v2/dags/\(hostile)/dagRuns", "/api/v2/dags/demo/dagRuns/\(hostile)",
                    "/api/v2/dags/demo/dagRuns/\(runID)/taskInstances/\(hostile)/logs/1",
                    "/api/v2/dags/demo/dagRuns/\(runID)/taskInstances/a/logs/\(hostile)",
                    "/api/v2/dags/demo/dagRuns/\(runID)/taskInstances/a/xcomEntries/\(hostile)",
                    "/api/v2/variables/\(hostile)", "/api/v2/dags?dag_id_pattern=\(hostile)", "/api/v2/dags/demo/dagRuns?order_by=\(hostile)",
                ] {
                    let answer = try await server.call(.get, path)
                    #expect(answer.status.code < 500, "\(path): \(answer.status)")
                    #expect(!answer.body.contains("root:"), "\(path) leaked a file")
                }
            }
            #expect((try await server.json(.get, "/api/v2/dags"))["total_entries"] as? Int == 1)
        }
    }
}
