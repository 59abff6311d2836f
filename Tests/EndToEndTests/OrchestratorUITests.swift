import Foundation
import Logging
import SQLKit
import Storage
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The orchestrator's web UI at the HTTP level: login, sessions, CSRF, roles, escaping.
@Suite("Orchestrator web UI over HTTP")
struct OrchestratorUITests {
    /// A browser-like client: keeps cookies, does not follow redirects.
    final class Browser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        // Test-only: used by one test task at a time.
        var cookies: [String: String] = [:]
        let base: String
        lazy var session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)

        init(_ base: String) { self.base = base }

        func urlSession(
            _ session: URLSession,
            task: URLSessionTask,
            willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest,
            completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func request(
            _ method: String,
            _ path: String,
            form: [String: String]? = nil,
            headers: [String: String] = [:]
        ) async throws -> (status: Int, body: String, location: String?) {
            var request = URLRequest(url: try #require(URL(string: base + path)))
            request.httpMethod = method
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            request.httpShouldHandleCookies = false
            if !cookies.isEmpty { request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
            if let form {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                request.httpBody = Data(
                    form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8
                )
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await session.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            if let header = http.value(forHTTPHeaderField: "Set-Cookie") {
                for cookie in header.components(separatedBy: ", ") {
                    let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                    if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) } else if pair.count == 1 { cookies[String(pair[0])] = nil }
                }
            }
            return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Location"))
        }

        func csrf(_ page: String) -> String? {
            page.range(of: #"name="csrf_token" value="([0-9a-f]+)""#, options: .regularExpression).map {
                String(page[$0].dropFirst(#"name="csrf_token" value=""#.count).dropLast())
            }
        }

        func logIn(_ username: String, _ password: String) async throws -> (status: Int, body: String, location: String?) {
            let page = try await request("GET", "/login")
            return try await request("POST", "/login", form: ["username": username, "password": password, "csrf_token": csrf(page.body) ?? ""])
        }
    }

    static let hostile = """
        dag_id: hostile
        description: "<script>alert('description')</script>"
        tags: ["<b>tag</b>"]
        params:
          who: {type: string, default: "<img src=x onerror=alert(1)>", description: "<i>who</i>"}
          n: {type: integer, default: 1, minimum: 1}
        tasks:
          - {id: say, operator: bash, command: "echo '<script>alert(\\"log\\")</script>'"}
        """

    @Test("Pages need a login; sessions survive a restart; forms need their CSRF token; viewers cannot act; everything user-given is escaped")
    func pages() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data")
            let dags = try directory.folder(
                "dags",
                files: [
                    "hostile.yaml": Self.hostile,
                    "<broken>.yaml": "tasks: [{id: a, operator: nope}]\n",
                    "slow.yaml":
                        "tasks:\n  - {id: slow, operator: bash, command: 'for i in 1 2 3; do echo tick $i; sleep 0.4; done'}\n  - {id: after, operator: bash, upstream: [slow], command: 'exit 3'}\n",
                ]
            )
            let arguments = ["server", "--port", "0", "--data-dir", data.path, "--dags-folder", dags.path, "--no-examples", "--log-level", "warning"]
            var server = try FlowlineProcess(arguments, in: directory.url)
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            var browser = Browser(try server.url(of: "orchestrator"))

            // Without a session every page leads to the login page; a form post is refused.
            for path in [
                "/", "/dags", "/dags/hostile", "/dags/hostile/graph", "/dags/hostile/code", "/dags/hostile/trigger", "/dags/hostile/runs/x",
                "/dags/hostile/runs/x/tasks/say",
            ] {
                let response = try await browser.request("GET", path)
                #expect(response.status == 303 && response.location?.hasPrefix("/login?next=") == true, "\(path): \(response.status)")
            }
            #expect(try await browser.request("POST", "/dags/hostile/trigger", form: ["param.n": "2"]).location == "/login")
            #expect(try await browser.logIn("alice", "wrong").status == 401)
            let noToken = try await browser.request("POST", "/login", form: ["username": "alice", "password": "bob"])
            #expect(noToken.status == 403)
            let login = try await browser.logIn("alice", "bob")
            #expect(login.status == 303 && login.location == "/dags")
            // After login, only paths of this site are followed.
            for next in ["//evil.example", "/\\evil.example", "https://evil.example"] {
                let page = try await Browser(browser.base).request("GET", "/login")
                let other = Browser(browser.base)
                other.cookies = ["flowline_login_csrf": browser.csrf(page.body) ?? ""]
                let response = try await other.request(
                    "POST",
                    "/login",
                    form: ["username": "alice", "password": "bob", "next": next, "csrf_token": browser.csrf(page.body) ?? ""]
                )
                #expect(response.location == "/dags", "\(next)")
            }

            // Escaping: the DAG's description, tags, param values and file names render as text.
            let list = try await browser.request("GET", "/dags")
            #expect(list.status == 200)
            #expect(!list.body.contains("<script>alert") && list.body.contains("&lt;script&gt;alert"))
            #expect(!list.body.contains("<b>tag</b>") && list.body.contains("&lt;b&gt;tag&lt;/b&gt;"))
            #expect(list.body.contains("&lt;broken&gt;.yaml"), "the import error banner names the file")
            let form = try await browser.request("GET", "/dags/hostile/trigger")
            #expect(
                !form.body.contains("<img src=x") && form.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !form.body.contains("<i>who</i>")
            )
            let code = try await browser.request("GET", "/dags/hostile/code")
            #expect(code.body.contains("&lt;script&gt;alert(&#39;description&#39;)") || code.body.contains("&lt;script&gt;alert("))

            // CSRF: a post without the session's token is refused; with it, a run starts.
            let csrf = try #require(browser.csrf(form.body))
            #expect(try await browser.request("POST", "/dags/hostile/trigger", form: ["param.n": "2"]).status == 403)
            #expect(
                try await browser.request(
                    "POST",
                    "/dags/hostile/trigger",
                    form: ["param.n": "2", "csrf_token": (csrf.hasPrefix("0") ? "1" : "0") + csrf.dropFirst()]
                ).status == 403
            )
            let invalid = try await browser.request("POST", "/dags/hostile/trigger", form: ["param.n": "0", "param.who": "x", "csrf_token": csrf])
            #expect(invalid.status == 400 && invalid.body.contains("less than the minimum of 1"))
            let badJSON = try await browser.request("POST", "/dags/hostile/trigger", form: ["conf": "{nope", "csrf_token": csrf])
            #expect(badJSON.status == 400 && badJSON.body.contains("not valid JSON"))
            let triggered = try await browser.request(
                "POST",
                "/dags/hostile/trigger",
                form: ["param.n": "2", "param.who": "Ada", "csrf_token": csrf]
            )
            #expect(triggered.status == 303)
            let runPath = try #require(triggered.location)
            try await eventually { [browser] in (try? await browser.request("GET", runPath + "/tasks/say").body.contains("Task succeeded")) == true }
            let log = try await browser.request("GET", runPath + "/tasks/say").body
            #expect(log.contains("&lt;script&gt;alert(&quot;log&quot;)&lt;/script&gt;") && !log.contains("<script>alert(\"log\")"), "\(log)")
            #expect(try await browser.request("GET", runPath).body.contains("success"))
            #expect(try await browser.request("GET", "/dags/hostile").body.contains("class=\"state success\""))

            // A running task's log streams as server-sent events until the try ends.
            let slow = try await browser.request("POST", "/dags/slow/trigger", form: ["csrf_token": csrf])
            let slowRun = try #require(slow.location)
            try await eventually { [browser] in (try? await browser.request("GET", slowRun + "/tasks/slow").body.contains("id=\"live-log\"")) == true
            }
            let stream = try await browser.request("GET", slowRun + "/tasks/slow/logs/1/stream")
            #expect(
                stream.body.contains("event: line\ndata: ") && stream.body.contains("tick 3") && stream.body.hasSuffix("event: end\ndata: end\n\n"),
                "\(stream.body)"
            )
            // Run actions: the failed task is cleared and fails again; the run is marked success.
            try await eventually { [browser] in (try? await browser.request("GET", slowRun).body.contains("<dd>failed</dd>")) == true }
            #expect(try await browser.request("POST", slowRun + "/clear", form: ["csrf_token": csrf]).status == 303)
            #expect(try await browser.request("POST", slowRun + "/state", form: ["state": "success", "csrf_token": csrf]).status == 303)
            #expect(try await browser.request("GET", slowRun).body.contains("<dd>success</dd>"))
            #expect(try await browser.request("POST", slowRun + "/tasks/after/state", form: ["state": "failed", "csrf_token": csrf]).status == 303)
            #expect(try await browser.request("POST", slowRun + "/tasks/after/state", form: ["state": "bogus", "csrf_token": csrf]).status == 400)
            #expect(try await browser.request("POST", slowRun + "/tasks/slow/clear", form: ["downstream": "true", "csrf_token": csrf]).status == 303)
            #expect(try await browser.request("GET", slowRun + "/tasks/slow").body.contains("Rendered templates"))
            #expect(try await browser.request("POST", "/dags/slow/pause", form: ["paused": "true", "csrf_token": csrf]).status == 303)
            #expect(try await browser.request("GET", "/dags").body.contains("Unpause slow"))
            #expect(try await browser.request("POST", "/dags/slow/pause", form: ["paused": "false", "csrf_token": csrf]).status == 303)
            #expect(try await browser.request("GET", "/dags/nope").status == 404)
            let graph = try await browser.request("GET", "/dags/slow/graph?run=" + (slowRun.split(separator: "/").last.map(String.init) ?? ""))
            #expect(graph.status == 200 && graph.body.contains("<svg") && graph.body.contains("selected>manual__"))

            // Admin pages: workers, variables, users.
            let workers = try await browser.request("GET", "/workers")
            #expect(workers.status == 200 && workers.body.contains("local"))
            let maintenancePath = try #require(
                workers.body.firstMatch(of: /action="(\/workers\/[^"\/]+\/maintenance)"/).map { String($0.1) }
            )
            #expect(workers.body.contains(">idle<") || workers.body.contains(">running<"))
            let hostileComment = "<script>alert(1)</script>"
            let paused = try await browser.request(
                "POST",
                maintenancePath,
                form: ["maintenance": "true", "comment": hostileComment, "csrf_token": csrf]
            )
            #expect(paused.status == 303)
            let inMaintenance = try await browser.request("GET", "/workers").body
            #expect(inMaintenance.contains(">maintenance<") && inMaintenance.contains("End maintenance"))
            #expect(inMaintenance.contains("&lt;script&gt;") && !inMaintenance.contains(hostileComment))
            let tooLong = ["maintenance": "true", "comment": String(repeating: "x", count: 1001), "csrf_token": csrf]
            #expect(try await browser.request("POST", maintenancePath, form: tooLong).status == 400)
            #expect(
                try await browser.request("POST", "/workers/nobody/maintenance", form: ["maintenance": "true", "csrf_token": csrf]).status == 404
            )
            #expect(try await browser.request("POST", maintenancePath, form: ["maintenance": "true"]).status == 403)
            #expect(try await browser.request("POST", maintenancePath, form: ["maintenance": "false", "csrf_token": csrf]).status == 303)
            #expect(!(try await browser.request("GET", "/workers").body.contains("End maintenance")))
            #expect(try await browser.request("POST", "/variables", form: ["key": "<k>", "value": "<v>", "csrf_token": csrf]).status == 303)
            let variables = try await browser.request("GET", "/variables")
            #expect(variables.body.contains("&lt;k&gt;") && variables.body.contains("&lt;v&gt;") && !variables.body.contains("<k>"))
            #expect(try await browser.request("POST", "/variables", form: ["key": "", "csrf_token": csrf]).status == 400)
            #expect(try await browser.request("POST", "/variables/delete", form: ["key": "<k>", "csrf_token": csrf]).status == 303)
            #expect(!(try await browser.request("GET", "/variables").body.contains("&lt;k&gt;")))
            #expect(
                try await browser.request(
                    "POST",
                    "/users",
                    form: ["username": "olga", "password": "operator-pass", "role": "op", "csrf_token": csrf]
                ).status == 303
            )
            #expect(try await browser.request("GET", "/users").body.contains("olga"))
            #expect(
                try await browser.request("POST", "/users/password", form: ["username": "olga", "password": "new-operator-pass", "csrf_token": csrf])
                    .status == 303
            )
            #expect(try await Browser(browser.base).logIn("olga", "new-operator-pass").status == 303)
            #expect(
                try await browser.request("POST", "/users/password", form: ["username": "nobody", "password": "whatever-pass", "csrf_token": csrf])
                    .status == 404
            )
            #expect(
                try await browser.request(
                    "POST",
                    "/users",
                    form: ["username": "olga", "password": "operator-pass", "role": "op", "csrf_token": csrf]
                ).status == 409
            )
            #expect(
                try await browser.request("POST", "/users/delete", form: ["username": "alice", "csrf_token": csrf]).status == 409,
                "the last admin stays"
            )

            // The session survives a restart of the server.
            server.signal()
            _ = try await server.waitForExit()
            server = try FlowlineProcess(arguments, in: directory.url)
            try await server.waitForOutput("Press Ctrl-C to stop.")
            let cookies = browser.cookies
            browser = Browser(try server.url(of: "orchestrator"))
            browser.cookies = cookies
            #expect(try await browser.request("GET", "/dags").status == 200)

            // A viewer sees but cannot act.
            let created = try await FlowlineProcess.run(
                ["users", "create", "vera", "--role", "viewer", "--data-dir", data.path],
                input: "secret-pass\n"
            )
            #expect(created.status == 0, "\(created.stderr)")
            let viewer = Browser(try server.url(of: "orchestrator"))
            #expect(try await viewer.logIn("vera", "secret-pass").status == 303)
            let page = try await viewer.request("GET", "/dags/hostile")
            #expect(page.status == 200 && !page.body.contains("Trigger…"))
            #expect(try await viewer.request("GET", "/dags/hostile/trigger").status == 403)
            let viewerCSRF = try #require(viewer.csrf(try await viewer.request("GET", "/dags").body))
            #expect(try await viewer.request("POST", "/dags/hostile/trigger", form: ["param.n": "2", "csrf_token": viewerCSRF]).status == 403)
            #expect(try await viewer.request("POST", "/dags/hostile/pause", form: ["paused": "true", "csrf_token": viewerCSRF]).status == 403)
            #expect(try await viewer.request("GET", "/variables").status == 403)
            #expect(try await viewer.request("GET", "/users").status == 403)
            let viewerWorkers = try await viewer.request("GET", "/workers")
            #expect(viewerWorkers.status == 200 && !viewerWorkers.body.contains("/maintenance\""))
            #expect(
                try await viewer.request("POST", "/workers/anyone/maintenance", form: ["maintenance": "true", "csrf_token": viewerCSRF]).status == 403
            )

            // Logout ends the session.
            #expect(try await viewer.request("POST", "/logout", form: ["csrf_token": viewerCSRF]).location == "/login")
            #expect(try await viewer.request("GET", "/dags").status == 303)
        }
    }

    /// Runs `body` with `flowline server` started on a new data directory (given to `body` with the
    /// orchestrator's URL) and a DAGs folder holding `dags`; the server is stopped afterwards.
    static func withServer(dags: [String: String], _ body: (_ base: String, _ data: URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("data")
            let folder = try directory.folder("dags", files: dags)
            let server = try FlowlineProcess(
                ["server", "--port", "0", "--data-dir", data.path, "--dags-folder", folder.path, "--no-examples", "--log-level", "warning"],
                in: directory.url
            )
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            try await body(try server.url(of: "orchestrator"), data)
        }
    }

    /// 3 MB of two-byte characters after a pause, the last line without a newline.
    static let bulkyDAG = """
        tasks:
          - {id: bulky, operator: bash, command: 'sleep 3; yes \(String(repeating: "é", count: 50)) | head -c 3000000; printf end-of-output'}
        """

    @Test("The live log stream sends every byte of a long log, whole characters, and the last line, before it ends")
    func longLogStream() async throws {
        try await Self.withServer(dags: ["bulky.yaml": Self.bulkyDAG]) { base, _ in
            let browser = Browser(base)
            #expect(try await browser.logIn("alice", "bob").status == 303)
            let csrf = try #require(browser.csrf(try await browser.request("GET", "/dags").body))
            let run = try #require(try await browser.request("POST", "/dags/bulky/trigger", form: ["csrf_token": csrf]).location)
            try await eventually { (try? await browser.request("GET", run + "/tasks/bulky").body.contains("id=\"live-log\"")) == true }
            // The stream starts while the task sleeps; the task then writes more than the stream
            // reads in one turn, and ends at once.
            let stream = try await browser.request("GET", run + "/tasks/bulky/logs/1/stream")
            #expect(stream.status == 200)
            // 2,999,902 bytes of 29,702 lines of 50 "é", then 49 "é" and "end-of-output" on the last
            // (which is also the XCom, logged as pushed: only the task's output lines count).
            let output = stream.body.split(separator: "\n").filter { $0.contains(" stdout: ") }
            let characters = output.reduce(0) { count, line in count + line.reduce(0) { $0 + ($1 == "é" ? 1 : 0) } }
            #expect(characters == 29_702 * 50 + 49, "\(characters) of 1485149 characters arrived")
            #expect(!stream.body.contains("\u{FFFD}"), "a character was cut")
            #expect(stream.body.contains(String(repeating: "é", count: 49) + "end-of-output"))
            #expect(stream.body.hasSuffix("event: end\ndata: end\n\n"))
        }
    }

    /// A numbered line every 100 ms (six seconds in all: a page caught while it runs, even on a loaded machine).
    static let tickerDAG = """
        tasks:
          - {id: ticker, operator: bash, command: 'for i in $(seq 1 60); do echo "line $i"; sleep 0.1; done'}
        """

    /// The numbers of the ticker's lines in `text` (a page's log or a stream's events), in order.
    static func tickerNumbers(_ text: some StringProtocol) -> [Int] {
        text.split(separator: "\n").compactMap { line in
            line.range(of: #"stdout: line [0-9]+$"#, options: .regularExpression).flatMap { Int(line[$0].split(separator: " ").last ?? "") }
        }
    }

    @Test(
        "A follower of a live log sees every line exactly once: the page's lines, then the stream's from where the page ended, and again after a reconnect"
    )
    func followLiveLog() async throws {
        try await Self.withServer(dags: ["ticker.yaml": Self.tickerDAG]) { base, _ in
            let browser = Browser(base)
            #expect(try await browser.logIn("alice", "bob").status == 303)
            let csrf = try #require(browser.csrf(try await browser.request("GET", "/dags").body))
            let run = try #require(try await browser.request("POST", "/dags/ticker/trigger", form: ["csrf_token": csrf]).location)
            // The task page while the task runs and has written some lines.
            var page = ""
            let deadline = ContinuousClock.now + .seconds(60)
            while !(page.contains("id=\"live-log\"") && !Self.tickerNumbers(page).isEmpty) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the task page never showed the running task's log: \(page)") }
                try await Task.sleep(for: .milliseconds(20))
                page = try await browser.request("GET", run + "/tasks/ticker").body
            }
            let source = try #require(
                page.range(of: #"data-source="[^"]+""#, options: .regularExpression).map {
                    String(page[$0].dropFirst(#"data-source=""#.count).dropLast())
                }
            )
            #expect(source.contains("?offset="), "\(source)")
            // A browser connects some time after the page was built (it loads the script first);
            // the task goes on writing meanwhile.
            try await Task.sleep(for: .milliseconds(300))
            let stream = try await browser.request("GET", source)
            #expect(stream.status == 200 && stream.body.hasSuffix("event: end\ndata: end\n\n"))
            let onPage = Self.tickerNumbers(page)
            let streamed = Self.tickerNumbers(stream.body)
            #expect(onPage + streamed == Array(1...60), "page \(onPage), stream \(streamed)")

            // An EventSource that lost its connection asks again with the id of the last event it
            // got; the stream goes on after that line.
            // A line halfway through the stream (where the page ended depends on the machine's load).
            let events = stream.body.components(separatedBy: "\n\n")
            let middle = try #require(streamed.isEmpty ? nil : streamed[streamed.count / 2])
            let event = try #require(events.first { $0.hasSuffix("stdout: line \(middle)") })
            let id = try #require(event.split(separator: "\n").first { $0.hasPrefix("id: ") }).dropFirst(4)
            let resumed = try await browser.request("GET", source, headers: ["Last-Event-ID": String(id)])
            let rest = Self.tickerNumbers(resumed.body)
            #expect(rest == Array(streamed.drop { $0 <= middle }), "\(rest)")
            // Without an offset the stream sends the whole log; a bad one is refused.
            #expect(Self.tickerNumbers(try await browser.request("GET", run + "/tasks/ticker/logs/1/stream").body) == Array(1...60))
            #expect(try await browser.request("GET", run + "/tasks/ticker/logs/1/stream?offset=x").status == 400)
        }
    }

    static let secretDAG = """
        dag_id: secret
        tasks:
          - id: use
            operator: bash
            env: {KEY: "{{ var.api_key }}"}
            command: echo "using {{ var.api_key }} in {{ var.region }}"
        """

    @Test(
        "Hardening: same-site redirects only, password changes end sessions, session ids hashed at rest, viewers see Variables masked, one login throttle, no stream for unknown tries, run ids checked"
    )
    func hardening() async throws {
        try await Self.withServer(dags: ["secret.yaml": Self.secretDAG]) { base, data in
            let admin = Browser(base)
            #expect(try await admin.logIn("alice", "bob").status == 303)
            let csrf = try #require(admin.csrf(try await admin.request("GET", "/dags").body))

            // Redirects after login: a TAB, other control characters or spaces never make a path another host.
            for next in ["/\t/evil.example/", "/\u{0B}/evil.example", "/\n/evil.example", " //evil.example", "/ /evil.example"] {
                let other = Browser(base)
                let page = try await other.request("GET", "/login")
                let response = try await other.request(
                    "POST",
                    "/login",
                    form: ["username": "alice", "password": "bob", "next": next, "csrf_token": other.csrf(page.body) ?? ""]
                )
                #expect(response.location == "/dags", "\(next.debugDescription) → \(response.location ?? "nil")")
            }

            // Session cookies are stored only as hashes.
            let cookie = try #require(admin.cookies["flowline_session"])
            let database = try await Database.open(.sqlite(path: data.appendingPathComponent("orchestrator.db").path), logger: Logger(label: "test"))
            let stored = try await withRunning(database) { database in
                try await database.read { sql in
                    try await sql.select().column("id").from("ui_sessions").all().map { try $0.decode(column: "id", as: String.self) }
                }
            }
            #expect(!stored.isEmpty && !stored.contains(cookie) && stored.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })

            // An op's session ends when an admin changes the op's password.
            #expect(
                try await admin.request("POST", "/users", form: ["username": "olga", "password": "operator-pass", "role": "op", "csrf_token": csrf])
                    .status == 303
            )
            let olga = Browser(base)
            #expect(try await olga.logIn("olga", "operator-pass").status == 303)
            #expect(try await olga.request("GET", "/dags").status == 200)
            #expect(
                try await admin.request("POST", "/users/password", form: ["username": "olga", "password": "changed-pass", "csrf_token": csrf]).status
                    == 303
            )
            #expect(try await olga.request("GET", "/dags").status == 303, "the old session still works")
            #expect(try await olga.logIn("olga", "changed-pass").status == 303)

            // Viewers see Variables masked in rendered templates; ops see them.
            #expect(try await admin.request("POST", "/variables", form: ["key": "api_key", "value": "s3cret-key", "csrf_token": csrf]).status == 303)
            #expect(
                try await admin.request("POST", "/variables", form: ["key": "region", "value": "north-pole-1", "csrf_token": csrf]).status == 303
            )
            let triggered = try await admin.request("POST", "/dags/secret/trigger", form: ["csrf_token": csrf])
            let runPath = try #require(triggered.location)
            #expect(
                try await FlowlineProcess.run(["users", "create", "vera", "--role", "viewer", "--data-dir", data.path], input: "viewer-pass\n").status
                    == 0
            )
            let vera = Browser(base)
            #expect(try await vera.logIn("vera", "viewer-pass").status == 303)
            let viewerPage = try await vera.request("GET", runPath + "/tasks/use")
            #expect(viewerPage.status == 200 && viewerPage.body.contains("Rendered templates"))
            let rendered = viewerPage.body.components(separatedBy: "<h2>Rendered templates</h2>").last?.components(separatedBy: "<h2>").first ?? ""
            #expect(
                !rendered.contains("north-pole-1") && !rendered.contains("s3cret-key") && rendered.contains("***"),
                "a viewer read a Variable: \(rendered)"
            )
            // A Variable whose name says it is secret is masked for everyone, in the log and XCom too
            // (Airflow's secrets masker); ops read the other Variables.
            #expect(!viewerPage.body.contains("s3cret-key") && viewerPage.body.contains("using *** in north-pole-1"), "\(viewerPage.body)")
            let opPage = try await olga.request("GET", runPath + "/tasks/use")
            #expect(!opPage.body.contains("s3cret-key") && opPage.body.contains("using *** in north-pole-1"))

            // No stream for a task or try that does not exist.
            #expect(try await admin.request("GET", runPath + "/tasks/nope/logs/1/stream").status == 404)
            #expect(try await admin.request("GET", runPath + "/tasks/use/logs/7/stream").status == 404)
            #expect(try await admin.request("GET", "/dags/secret/runs/nope/tasks/use/logs/1/stream").status == 404)

            // Run ids: '.', '..' and control characters are refused; nothing is created.
            let login = try await HTTP.request("POST", base + "/auth/token", body: #"{"username": "alice", "password": "bob"}"#)
            let token = try #require((try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["access_token"] as? String)
            for runID in [#"".""#, #""..""#, #""a\u0000b""#, #""tab\there""#, #""a/b""#, #""""#] {
                let response = try await HTTP.request(
                    "POST",
                    base + "/api/v2/dags/secret/dagRuns",
                    body: #"{"logical_date": null, "dag_run_id": \#(runID)}"#,
                    headers: ["Authorization": "Bearer \(token)"]
                )
                #expect(response.status == 400 || response.status == 422, "\(runID): \(response.status) \(response.body)")
            }
            let runs = try await HTTP.request("GET", base + "/api/v2/dags/secret/dagRuns", headers: ["Authorization": "Bearer \(token)"])
            #expect(runs.body.contains(#""total_entries":1"#), "\(runs.body)")
            let workspaces = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("workspaces/secret").path)
            #expect(workspaces.count == 1 && workspaces[0].hasPrefix("manual__"), "\(workspaces)")

            // One throttle for the web UI and the API: three UI failures and two API failures lock the user.
            for _ in 0..<3 { #expect(try await Browser(base).logIn("olga", "wrong-pass").status == 401) }
            for _ in 0..<2 {
                #expect(try await HTTP.request("POST", base + "/auth/token", body: #"{"username": "olga", "password": "wrong"}"#).status == 401)
            }
            #expect(try await HTTP.request("POST", base + "/auth/token", body: #"{"username": "olga", "password": "changed-pass"}"#).status == 429)
            #expect(try await Browser(base).logIn("olga", "changed-pass").status == 429)
        }
    }
}
