import Foundation
import TestSupport
import Testing

/// `flowline up`'s model server follows the champion alias without polling: the tracking server in
/// the same process tells it of every move.
@Suite("A promotion is served at once")
struct PromotionServingTests {
    /// The parsed JSON object of a successful call of MLflow's API at `base`.
    static func call(_ base: String, _ method: String, _ path: String, _ body: String) async throws -> [String: Any] {
        let answer = try await HTTP.request(method, base + "/api/2.0/mlflow/" + path, body: body)
        guard answer.status == 200 else { throw TestFailure("\(method) \(path): \(answer.status) \(answer.body)") }
        return try jsonDictionary(.init(answer.body))
    }

    /// Logs a run whose model predicts `value` for every input and registers it as a new version
    /// of `line-model`; returns the version.
    static func registerModel(predicting value: Int, tracking: String, experimentID: String) async throws -> String {
        let run = try await call(tracking, "POST", "runs/create", #"{"experiment_id": "\#(experimentID)"}"#)
        let runID = try #require((run["run"] as? [String: Any]).flatMap { $0["info"] as? [String: Any] }?["run_id"] as? String)
        let descriptor = "flavors: {}\nmetadata:\n  flowline_model:\n    coefficients: [\(value), 0]\n"
        let upload = try await HTTP.request(
            "PUT",
            tracking + "/api/2.0/mlflow-artifacts/artifacts/\(experimentID)/\(runID)/artifacts/model/MLmodel",
            body: descriptor
        )
        #expect(upload.status == 200, "\(upload.body)")
        let version = try await call(
            tracking,
            "POST",
            "model-versions/create",
            #"{"name": "line-model", "source": "runs:/\#(runID)/model", "run_id": "\#(runID)"}"#
        )
        return try #require((version["model_version"] as? [String: Any])?["version"] as? String)
    }

    @Test("Setting the alias is served within milliseconds; until the first champion, the wait is logged once and nothing polls")
    func promotionIsServedAtOnce() async throws {
        try await withTemporaryDirectory { directory in
            let up = try FlowlineProcess(
                [
                    "up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--no-examples",
                    "--data-dir", directory.url.appendingPathComponent("data").path, "--log-level", "info",
                ],
                in: directory.url
            )
            defer { up.terminate() }
            try await up.waitForOutput("Press Ctrl-C to stop.")
            let tracking = try up.url(of: "tracking")
            let serving = try up.url(of: "serving")
            let experiment = try await Self.call(tracking, "POST", "experiments/create", #"{"name": "promotions"}"#)
            let experimentID = try #require(experiment["experiment_id"] as? String)
            _ = try await Self.call(tracking, "POST", "registered-models/create", #"{"name": "line-model"}"#)

            // No champion yet. A polling model server (every 2 s) would ask, and be answered 404,
            // again within this while; one that is told does not.
            #expect(try await HTTP.request("GET", serving + "/health").status == 503)
            try await Task.sleep(for: .milliseconds(2500))
            let lookups = up.standardError.split(separator: "\n").filter { $0.contains("GET /api/2.0/mlflow/registered-models/alias 404") }
            #expect(lookups.count == 1, "\(lookups)")
            let waiting = up.standardError.split(separator: "\n").filter { $0.contains("Nothing to serve yet") }
            #expect(waiting.count == 1 && waiting.first?.contains("info") == true, "\(up.standardError)")

            for (promotions, value) in [3, 5].enumerated().map({ ($0.offset + 1, $0.element) }) {
                let version = try await Self.registerModel(predicting: value, tracking: tracking, experimentID: experimentID)
                _ = try await Self.call(
                    tracking,
                    "POST",
                    "registered-models/alias",
                    #"{"name": "line-model", "alias": "champion", "version": "\#(version)"}"#
                )
                let promoted = ContinuousClock.now
                var answer = (status: 0, body: "")
                while !answer.body.contains(#""predictions":[\#(value)"#), ContinuousClock.now - promoted < .seconds(10) {
                    answer = try await HTTP.request("POST", serving + "/invocations", body: #"{"inputs": [7]}"#)
                }
                let took = ContinuousClock.now - promoted
                print("version \(version) served \(took) after the alias was set")
                // 100 ms is the aim (a loaded machine takes longer; timing is the benchmarks' to judge):
                // served on being told, and nothing polls afterwards.
                #expect(answer.status == 200, "\(took): \(answer)")
                try await Task.sleep(for: .milliseconds(2500))
                let found = up.standardError.split(separator: "\n").filter { $0.contains("GET /api/2.0/mlflow/registered-models/alias 200") }
                #expect(found.count == promotions, "\(found)")
                let health = try await HTTP.request("GET", serving + "/health")
                #expect(health.body.contains(#""version":"\#(version)""#), "\(health.body)")
            }
        }
    }
}
