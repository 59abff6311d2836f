import Foundation
import TestSupport
import Testing

/// The tracking server's web UI at the HTTP level: every page, paging and filtering, compare,
/// inline artifacts, and escaping of everything a client logged.
@Suite("Tracking web UI over HTTP")
struct TrackingUITests {
    func json(_ method: String, _ url: String, _ body: String) async throws -> [String: Any] {
        let response = try await HTTP.request(method, url, body: body)
        guard response.status == 200 else { throw TestFailure("\(method) \(url): \(response.status) \(response.body)") }
        return (try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("Experiments, runs, run, compare, artifacts, models: status, content and escaping")
    func pages() async throws {
        try await withTemporaryDirectory { directory in
            let server = try FlowlineProcess(
                ["tracking", "serve", "--port", "0", "--data-dir", directory.url.appendingPathComponent("data").path, "--log-level", "warning"],
                in: directory.url
            )
            defer { server.terminate() }
            try await server.waitForOutput("Press Ctrl-C to stop.")
            let base = try server.url(of: "tracking")
            let api = base + "/api/2.0/mlflow"
            let experiment = try #require(
                try await json("POST", api + "/experiments/create", #"{"name": "<script>exp</script>"}"#)["experiment_id"] as? String
            )
            var runIDs: [String] = []
            for index in 0..<3 {
                let run = try await json(
                    "POST",
                    api + "/runs/create",
                    #"{"experiment_id": "\#(experiment)", "run_name": "<b>run \#(index)</b>", "start_time": \#(1_700_000_000_000 + index)}"#
                )
                let id = try #require(((run["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
                runIDs.append(id)
                _ = try await json(
                    "POST",
                    api + "/runs/log-batch",
                    """
                    {"run_id": "\(id)", "params": [{"key": "alpha", "value": "<i>\(index)</i>"}, {"key": "model", "value": "linear"}],
                     "metrics": [{"key": "loss", "value": \(1.0 / Double(index + 1)), "timestamp": 1, "step": 0}, {"key": "loss", "value": \(0.5 / Double(index + 1)), "timestamp": 2, "step": 1}],
                     "tags": [{"key": "note", "value": "<img src=x>"}]}
                    """
                )
            }
            let upload = try await HTTP.request(
                "PUT",
                base + "/api/2.0/mlflow-artifacts/artifacts/\(experiment)/\(runIDs[0])/artifacts/data/%3Cscript%3E.json",
                body: #"{"a": "<script>alert(1)</script>"}"#
            )
            #expect(upload.status == 200, "\(upload.body)")
            _ = try await json("POST", api + "/registered-models/create", #"{"name": "line-model"}"#)
            _ = try await json(
                "POST",
                api + "/model-versions/create",
                #"{"name": "line-model", "source": "runs:/\#(runIDs[0])/model", "run_id": "\#(runIDs[0])"}"#
            )
            _ = try await json("POST", api + "/registered-models/alias", #"{"name": "line-model", "alias": "champion", "version": "1"}"#)

            #expect(try await HTTP.request("GET", base + "/").status == 200)  // redirected to /experiments
            let experiments = try await HTTP.request("GET", base + "/experiments")
            #expect(
                experiments.status == 200 && experiments.body.contains("&lt;script&gt;exp&lt;/script&gt;")
                    && !experiments.body.contains("<script>exp")
            )
            let runs = try await HTTP.request("GET", base + "/experiments/\(experiment)")
            #expect(
                runs.status == 200 && runs.body.contains("&lt;b&gt;run 2&lt;/b&gt;") && runs.body.contains("&lt;i&gt;1&lt;/i&gt;")
                    && !runs.body.contains("<i>1</i>")
            )
            #expect(
                runs.body.range(of: "run 2")?.lowerBound ?? runs.body.endIndex < runs.body.range(of: "run 0")?.lowerBound ?? runs.body.startIndex,
                "newest first"
            )
            let filtered = try await HTTP.request(
                "GET",
                base + "/experiments/\(experiment)?filter=" + "metrics.loss < 0.3".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            )
            #expect(filtered.body.contains("run 2") && !filtered.body.contains("run 0"))
            let bad = try await HTTP.request("GET", base + "/experiments/\(experiment)?filter=metrics.loss%20%3E%3E%201")
            #expect(bad.status == 200 && bad.body.contains("class=\"banner\"") && bad.body.contains("Invalid comparator"))
            let sorted = try await HTTP.request(
                "GET",
                base + "/experiments/\(experiment)?order=" + "metrics.`loss` DESC".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            )
            #expect(
                sorted.body.range(of: "run 0")?.lowerBound ?? sorted.body.endIndex < sorted.body.range(of: "run 2")?.lowerBound
                    ?? sorted.body.startIndex
            )

            let run = try await HTTP.request("GET", base + "/runs/\(runIDs[0])")
            #expect(
                run.status == 200 && run.body.contains("<svg") && run.body.contains("loss") && run.body.contains("&lt;img src=x&gt;")
                    && !run.body.contains("<img src=x>")
            )
            #expect(run.body.contains("line-model version 1") && run.body.contains("@champion"))
            #expect(
                run.body.contains("<details open><summary><a href=\"/runs/\(runIDs[0])?path=data\">data/</a>")
                    && run.body.contains("&lt;script&gt;.json"),
                "the tree shows nested files"
            )
            let folder = try await HTTP.request("GET", base + "/runs/\(runIDs[0])?path=data")
            #expect(folder.body.contains("&lt;script&gt;.json") && !folder.body.contains("<script>.json"))
            let artifact = try await HTTP.request("GET", base + "/runs/\(runIDs[0])/artifact?path=data/%3Cscript%3E.json")
            #expect(
                artifact.status == 200 && artifact.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    && !artifact.body.contains("<script>alert(1)")
            )
            #expect(try await HTTP.request("GET", base + "/runs/\(runIDs[0])/artifact?path=nope.txt").status == 404)
            #expect(try await HTTP.request("GET", base + "/runs/\(runIDs[0])?path=../..").status == 400)

            let compare = try await HTTP.request("GET", base + "/compare?runs=\(runIDs[0])&runs=\(runIDs[1])")
            #expect(compare.status == 200 && compare.body.contains("class=\"differs\"") && compare.body.components(separatedBy: "<path").count >= 3)
            #expect(try await HTTP.request("GET", base + "/compare?runs=\(runIDs[0])").status == 400)
            let models = try await HTTP.request("GET", base + "/models")
            #expect(models.status == 200 && models.body.contains("line-model") && models.body.contains("@champion → v1"))
            let model = try await HTTP.request("GET", base + "/models/line-model")
            #expect(model.status == 200 && model.body.contains("/runs/\(runIDs[0])"))
            #expect(try await HTTP.request("GET", base + "/models/nope").status == 404)
            #expect(try await HTTP.request("GET", base + "/runs/nope").status == 404)
        }
    }
}
