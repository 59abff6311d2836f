import Foundation
import TestSupport
import Testing

/// The example ML pipeline end to end, as a user drives it: `flowline up`, then the REST APIs of
/// the orchestrator, the tracking server, the samples service and the model server.
@Suite("The ML pipeline end to end", .serialized)
struct PipelineTests {
    /// The stack and a logged-in client of its APIs.
    struct Stack {
        let up: FlowlineProcess
        let orchestrator: String
        let tracking: String
        let samples: String
        let serving: String
        let auth: [String: String]

        func json(_ method: String, _ url: String, _ body: String? = nil, status expected: Int = 200) async throws -> [String: Any] {
            let response = try await HTTP.request(method, url, body: body, headers: auth)
            guard response.status == expected else {
                throw TestFailure("\(method) \(url) answered \(response.status), not \(expected): \(response.body)")
            }
            return (try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
        }

        /// The commit id the banner lists for `name` (linear, cubic, python).
        func commit(_ name: String) throws -> String {
            for line in up.standardOutput.split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.first.map(String.init) == name, words.count >= 2 { return String(words[1]) }
            }
            throw TestFailure("no commit \(name) in the banner: \(up.standardOutput)")
        }

        /// Triggers the DAG with `conf`; returns the run id.
        func trigger(_ conf: String) async throws -> String {
            let run = try await json(
                "POST",
                orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns",
                #"{"logical_date": null, "conf": \#(conf)}"#
            )
            return try #require(run["dag_run_id"] as? String)
        }

        func runPath(_ runID: String) -> String {
            orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns/"
                + (runID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? runID)
        }

        /// Waits for the run to end; returns its state.
        func finish(_ runID: String, timeout: Duration = .seconds(90)) async throws -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let state = try await json("GET", runPath(runID))["state"] as? String ?? ""
                if state == "success" || state == "failed" { return state }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestFailure("run \(runID) did not end within \(timeout)")
        }

        /// The tracking run a DAG run's training task started (the lineage field).
        func trackingRun(of runID: String) async throws -> [String: Any] {
            let dagRun = try await json("GET", runPath(runID))
            let id = try #require((dagRun["tracking_run_ids"] as? [String: Any])?["model_training"] as? String)
            return try #require(try await json("GET", tracking + "/api/2.0/mlflow/runs/get?run_id=" + id)["run"] as? [String: Any])
        }

        func champion() async throws -> String? {
            let response = try await HTTP.request("GET", tracking + "/api/2.0/mlflow/registered-models/alias?name=line-model&alias=champion")
            guard response.status == 200 else { return nil }
            let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            return (body?["model_version"] as? [String: Any])?["version"] as? String
        }

        /// The served prediction at x once the server serves `version`.
        func prediction(at x: Double, version: String) async throws -> Double {
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                let health = try await HTTP.request("GET", serving + "/health")
                if health.status == 200, health.body.contains(#""version":"\#(version)""#) {
                    let answer = try await HTTP.request("POST", serving + "/invocations", body: #"{"inputs": [\#(x)]}"#)
                    let body = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                    return try #require((body?["predictions"] as? [Double])?.first)
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw TestFailure("the model server did not serve version \(version)")
        }

        func experimentRunCount() async throws -> Int {
            let experiment = try await HTTP.request(
                "GET",
                tracking + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=alpha_orchestrated_experiment"
            )
            guard experiment.status == 200 else { return 0 }
            let id =
                ((try JSONSerialization.jsonObject(with: Data(experiment.body.utf8)) as? [String: Any])?["experiment"] as? [String: Any])?[
                    "experiment_id"
                ] as? String ?? ""
            let runs = try await json("POST", tracking + "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["\#(id)"], "max_results": 1000}"#)
            return (runs["runs"] as? [Any])?.count ?? 0
        }
    }

    static func params(_ run: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for param in ((run["data"] as? [String: Any])?["params"] as? [[String: Any]]) ?? [] {
            if let key = param["key"] as? String { result[key] = param["value"] as? String }
        }
        return result
    }

    static func metric(_ run: [String: Any], _ name: String) -> Double? {
        (((run["data"] as? [String: Any])?["metrics"] as? [[String: Any]]) ?? []).first { $0["key"] as? String == name }?["value"] as? Double
    }

    static func tags(_ run: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for tag in ((run["data"] as? [String: Any])?["tags"] as? [[String: Any]]) ?? [] {
            if let key = tag["key"] as? String { result[key] = tag["value"] as? String }
        }
        return result
    }

    func withStack(_ body: @escaping @Sendable (Stack) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            var arguments = [
                "up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0",
                "--data-dir", directory.url.appendingPathComponent("data").path, "--log-level", "warning",
            ]
            if let python = ProcessInfo.processInfo.environment["FLOWLINE_TEST_PYTHON"] { arguments += ["--python", python] }
            let up = try FlowlineProcess(arguments, in: directory.url)
            defer { up.terminate() }
            try await up.waitForOutput("Press Ctrl-C to stop.")
            let orchestrator = try up.url(of: "orchestrator")
            let login = try await HTTP.request("POST", orchestrator + "/auth/token", body: #"{"username": "alice", "password": "bob"}"#)
            let token = (try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["access_token"] as? String ?? ""
            let stack = Stack(
                up: up,
                orchestrator: orchestrator,
                tracking: try up.url(of: "tracking"),
                samples: try up.url(of: "samples"),
                serving: try up.url(of: "serving"),
                auth: ["Authorization": "Bearer \(token)"]
            )
            try await body(stack)
            up.signal()
            #expect(try await up.waitForExit() == 0)
        }
    }

    @Test("Commits at a run's config train, log, register, promote only when better, and serve the champion")
    func pipeline() async throws {
        try await withStack { stack in
            let linear = try stack.commit("linear")
            let cubic = try stack.commit("cubic")
            #expect(try await HTTP.request("GET", stack.serving + "/ping").status == 503)

            // The first commit on the default line (gradient 1, intercept 0, noise 0.1).
            let first = try await stack.trigger(#"{"commit": "\#(linear)"}"#)
            #expect(try await stack.finish(first) == "success")
            let run = try await stack.trackingRun(of: first)
            let params = Self.params(run)
            #expect(params["model-gitsha"] == linear)
            #expect(params["model"] == "linear")
            #expect(abs((Double(params["coefficient"] ?? "") ?? 0) - 1) < 0.1, "\(params)")
            #expect(abs(Double(params["intercept"] ?? "") ?? 1) < 0.1, "\(params)")
            #expect((Self.metric(run, "test-R2-score") ?? 0) > 0.8)
            let tags = Self.tags(run)
            #expect(tags["mlflow.source.git.commit"] == linear && tags["mlflow.source.type"] == "PROJECT")
            #expect(
                tags["flowline.dag_id"] == "alpha_orchestrated_experiment" && tags["flowline.run_id"] == first
                    && tags["flowline.task_id"] == "model_training"
            )
            #expect(tags["flowline.try_number"] == "1" && tags["flowline.conf"]?.contains(linear) == true)
            // The run's params, defaults applied: what the run used, not only what the trigger gave.
            #expect(tags["flowline.conf"]?.contains(#""registered_model":"line-model""#) == true, "\(tags)")
            #expect((run["info"] as? [String: Any])?["status"] as? String == "FINISHED")
            #expect(try await stack.champion() == "1")
            #expect(abs(try await stack.prediction(at: 0.5, version: "1") - 0.5) < 0.1)
            // The training task's XCom is the commit; the task instance names its tracking run.
            let instance = try await stack.json("GET", stack.runPath(first) + "/taskInstances/model_training")
            #expect(instance["tracking_run_id"] as? String == (run["info"] as? [String: Any])?["run_id"] as? String)
            let xcom = try await stack.json("GET", stack.runPath(first) + "/taskInstances/model_training/xcomEntries/return_value")
            #expect((xcom["value"] as? String)?.contains(linear) == true, "\(xcom)")
            // The samples reached validation and training as declared data, through run storage.
            for task in ["data_validation", "model_training"] {
                let log = try await stack.json("GET", stack.runPath(first) + "/taskInstances/\(task)/logs/1")
                let events = (log["content"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
                #expect(events.contains { $0.contains("Fetched input train.json from task 'data_ingestion'") }, "\(task): \(events)")
                #expect(events.contains { $0.contains("Fetched input test.json from task 'data_ingestion'") }, "\(task): \(events)")
            }

            // An exact line: exactly its coefficients, R² = 1, and it beats the champion.
            _ = try await stack.json("PUT", stack.samples + "/put-line-params", #"{"gradient": -1, "intercept": 100, "noise_sigma": 0}"#)
            let exact = try await stack.trigger(#"{"commit": "\#(linear)"}"#)
            #expect(try await stack.finish(exact) == "success")
            let exactRun = try await stack.trackingRun(of: exact)
            #expect(abs((Double(Self.params(exactRun)["coefficient"] ?? "") ?? 0) + 1) < 1e-9)
            #expect(abs((Double(Self.params(exactRun)["intercept"] ?? "") ?? 0) - 100) < 1e-9)
            #expect(Self.metric(exactRun, "test-R2-score") == 1)
            #expect(try await stack.champion() == "2")
            #expect(abs(try await stack.prediction(at: 0.5, version: "2") - 99.5) < 1e-9)

            // The second commit (a cubic) on the same exact line cannot beat R² = 1: registered,
            // but the alias stays.
            let second = try await stack.trigger(#"{"commit": "\#(cubic)"}"#)
            #expect(try await stack.finish(second) == "success")
            let secondRun = try await stack.trackingRun(of: second)
            #expect(Self.params(secondRun)["model-gitsha"] == cubic && Self.params(secondRun)["degree"] == "3")
            #expect((secondRun["info"] as? [String: Any])?["run_id"] as? String != (exactRun["info"] as? [String: Any])?["run_id"] as? String)
            let versions = try await stack.json("GET", stack.tracking + "/api/2.0/mlflow/model-versions/search?filter=name%3D%27line-model%27")
            #expect((versions["model_versions"] as? [Any])?.count == 3)
            #expect(try await stack.champion() == "2")

            // The Python commit (scikit-learn and the mlflow client), when a Python with them is given.
            if ProcessInfo.processInfo.environment["FLOWLINE_TEST_PYTHON"] != nil {
                _ = try await stack.json("PUT", stack.samples + "/put-line-params", #"{"gradient": 2, "intercept": 1, "noise_sigma": 0.5}"#)
                let python = try await stack.trigger(#"{"commit": "\#(try stack.commit("python"))"}"#)
                #expect(try await stack.finish(python) == "success")
                let pythonRun = try await stack.trackingRun(of: python)
                #expect(Self.params(pythonRun)["model-gitsha"] == (try stack.commit("python")))
                #expect(abs((Double(Self.params(pythonRun)["coefficient"] ?? "") ?? 0) - 2) < 0.3)
                #expect((Self.metric(pythonRun, "test-R2-score") ?? 1) < 1)
                #expect(try await stack.champion() == "2")
            }
        }
    }

    @Test("A samples service that is down: ingestion retried once, the run fails with nothing tracked; cleared later, it succeeds")
    func samplesDown() async throws {
        try await withStack { stack in
            _ = try await stack.json(
                "PATCH",
                stack.orchestrator + "/api/v2/variables/samples_url",
                #"{"key": "samples_url", "value": "http://127.0.0.1:9"}"#
            )
            let runID = try await stack.trigger("{}")
            #expect(try await stack.finish(runID, timeout: .seconds(60)) == "failed")
            let ingestion = try await stack.json("GET", stack.runPath(runID) + "/taskInstances/data_ingestion")
            #expect(ingestion["state"] as? String == "failed" && ingestion["try_number"] as? Int == 2)
            let training = try await stack.json("GET", stack.runPath(runID) + "/taskInstances/model_training")
            #expect(training["state"] as? String == "upstream_failed")
            #expect(try await stack.experimentRunCount() == 0)
            let log = try await HTTP.request(
                "GET",
                stack.runPath(runID) + "/taskInstances/data_ingestion/logs/1",
                headers: stack.auth.merging(["Accept": "text/plain"]) { $1 }
            )
            #expect(log.body.contains("cannot reach the samples service at http://127.0.0.1:9"), "\(log.body)")

            _ = try await stack.json(
                "PATCH",
                stack.orchestrator + "/api/v2/variables/samples_url",
                #"{"key": "samples_url", "value": "\#(stack.samples)"}"#
            )
            _ = try await stack.json(
                "POST",
                stack.orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/clearTaskInstances",
                #"{"dry_run": false, "dag_run_id": "\#(runID)", "only_failed": true, "reset_dag_runs": true}"#
            )
            #expect(try await stack.finish(runID) == "success")
            #expect(try await stack.experimentRunCount() == 1)
        }
    }

    @Test("An unknown commit fails the training task naming it; bad conf is refused at trigger")
    func badInput() async throws {
        try await withStack { stack in
            let missing = String(repeating: "d", count: 40)
            let runID = try await stack.trigger(#"{"commit": "\#(missing)"}"#)
            let deadline = ContinuousClock.now + .seconds(30)
            var log = ""
            while ContinuousClock.now < deadline {
                log = try await HTTP.request(
                    "GET",
                    stack.runPath(runID) + "/taskInstances/model_training/logs/1",
                    headers: stack.auth.merging(["Accept": "text/plain"]) { $1 }
                ).body
                if log.contains("Task failed") { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(log.contains("'\(missing)' is not a commit, branch or tag of"), "\(log)")
            #expect(try await stack.experimentRunCount() == 0)
            // Stop waiting for the retry.
            _ = try await stack.json("PATCH", stack.runPath(runID), #"{"state": "failed"}"#)

            let before =
                try await stack.json("GET", stack.orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns")["total_entries"] as? Int
            for conf in [#"{"comit": "abc"}"#, #"{"n_samples_train": "many"}"#, #"{"n_samples_test": 0}"#, #"{"commit": 5}"#] {
                let response = try await HTTP.request(
                    "POST",
                    stack.orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns",
                    body: #"{"logical_date": null, "conf": \#(conf)}"#,
                    headers: stack.auth
                )
                #expect(response.status == 400, "\(conf): \(response.body)")
            }
            let refused = try await HTTP.request(
                "POST",
                stack.orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns",
                body: #"{"logical_date": null, "conf": {"comit": "abc"}}"#,
                headers: stack.auth
            )
            #expect(
                refused.body.contains("conf key 'comit' is not a param of this DAG") && refused.body.contains("did you mean 'commit'?"),
                "\(refused.body)"
            )
            let after =
                try await stack.json("GET", stack.orchestrator + "/api/v2/dags/alpha_orchestrated_experiment/dagRuns")["total_entries"] as? Int
            #expect(before == after)
        }
    }
}
