import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TrackingClient
import Yams

@testable import Serving

@Suite("Scoring requests")
struct ScoringInputTests {
    func values(_ body: String, type: String? = "application/json") throws(ScoringError) -> [Double] {
        try ScoringInput.values(body: Array(body.utf8), contentType: type)
    }

    @Test("Every input shape of MLflow's scoring protocol")
    func shapes() throws {
        #expect(try values(#"{"inputs": [0.5, 1]}"#) == [0.5, 1])
        #expect(try values(#"{"inputs": [[0.5], [1]]}"#) == [0.5, 1])
        #expect(try values(#"{"instances": [{"x": 0.5}, {"x": 2}]}"#) == [0.5, 2])
        #expect(try values(#"{"inputs": {"x": [3, 4]}}"#) == [3, 4])
        #expect(try values(#"{"dataframe_split": {"columns": ["x"], "data": [[0.5], [1.5]]}}"#) == [0.5, 1.5])
        #expect(try values(#"{"dataframe_split": {"columns": ["id", "x"], "data": [[7, 0.5]]}, "params": {}}"#) == [0.5])
        #expect(try values(#"{"dataframe_records": [{"x": 0.25}]}"#) == [0.25])
        #expect(try values("x\n0.5\n1\n", type: "text/csv; charset=utf-8") == [0.5, 1])
        #expect(try values(#"{"inputs": []}"#) == [])
    }

    @Test("Bad requests say what is wrong")
    func errors() {
        let cases: [(String, String?, String)] = [
            ("not json", "application/json", "Failed to parse the request body as JSON"),
            ("[1, 2]", "application/json", "must be a JSON object"),
            (#"{"inputs": [1], "instances": [1]}"#, "application/json", "exactly one of the keys"),
            (#"{"data": [1]}"#, "application/json", "exactly one of the keys"),
            (#"{"inputs": ["a"]}"#, "application/json", "inputs[0] is string, not a number"),
            (#"{"inputs": [[1, 2]]}"#, "application/json", "inputs[0] has 2 values"),
            (#"{"inputs": [NaN]}"#, "application/json", "not a finite number"),
            (#"{"dataframe_records": [{"a": 1, "b": 2}]}"#, "application/json", "the model takes one feature, named x"),
            (#"{"dataframe_split": {"columns": ["x"]}}"#, "application/json", "needs 'data'"),
            ("x\nabc\n", "text/csv", "CSV row 1 has no finite number"),
            ("{}", "text/plain", "only supports the following content types"),
        ]
        for (body, type, message) in cases {
            do {
                _ = try values(body, type: type)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.status == .badRequest)
                #expect(error.message.contains(message), "\(body): \(error.message)")
            }
        }
    }

    @Test("Model URIs")
    func references() throws {
        #expect(try ModelReference("models:/line-model@champion") == .alias(model: "line-model", alias: "champion"))
        #expect(try ModelReference("models:/line-model/3") == .version(model: "line-model", version: "3"))
        #expect(try ModelReference("models:/m-abc") == .loggedModel(id: "m-abc"))
        #expect(try ModelReference("runs:/abc/model") == .run(id: "abc", path: "model"))
        #expect(try ModelReference("mlflow-artifacts:/1/x/artifacts/model") == .artifacts("mlflow-artifacts:/1/x/artifacts/model"))
        for bad in ["line-model", "models:/", "models:/@champion", "models:/a/b/c", "runs:/", "s3://bucket/model"] {
            #expect(throws: TrackingClientError.self, "\(bad)") { try ModelReference(bad) }
        }
    }

    @Test("Before a model exists, /ping and /invocations answer 503 with the reason")
    func noModelYet() async throws {
        let watcher = ModelWatcher(reference: .alias(model: "line-model", alias: "champion"), client: { nil }, logger: Logger(label: "test"))
        let app = buildServingApplication(host: "127.0.0.1", port: 0, watcher: watcher, version: "test", logger: Logger(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ping", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("SERVICE_UNAVAILABLE"))
            }
            try await client.execute(uri: "/invocations", method: .post, body: ByteBuffer(string: #"{"inputs": [1]}"#)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("No model to serve yet"))
            }
            try await client.execute(uri: "/version", method: .get) { response in
                #expect(String(buffer: response.body) == "test")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite("MLmodel descriptors")
struct ModelDescriptorTests {
    @Test("A scikit-learn model logged by MLflow 3 with flowline_model metadata; hostile YAML is an error, not a crash")
    func descriptors() throws {
        let sklearn = """
            artifact_path: null
            flavors:
              python_function:
                env: {conda: conda.yaml, virtualenv: python_env.yaml}
                loader_module: mlflow.sklearn
                model_path: model.skops
                predict_fn: predict
                python_version: 3.11.2
              sklearn:
                code: null
                pickled_model: model.skops
                serialization_format: skops
                sklearn_version: 1.9.1
            metadata:
              flowline_model:
                coefficients: [0.25, 2.0]
                kind: linear
            mlflow_version: 3.17.2
            model_id: m-205288bd709c4b4da39cac6c566c6820
            utc_time_created: '2026-11-26 02:15:26.000000'
            """
        let descriptor = try YAMLDecoder().decode(ModelLoader.Descriptor.self, from: sklearn)
        #expect(descriptor.metadata?.flowline_model?.coefficients == [0.25, 2.0])
        #expect(descriptor.flavors?["flowline"] == nil)
        // The input that crashes Yams.load only decodes (to nothing here).
        #expect((try? YAMLDecoder().decode(ModelLoader.Descriptor.self, from: "? [a, b]\n: c\n"))?.flavors == nil)
        for invalid in ["flavors: [1, 2]", "flavors:\n  flowline: 3\n", "&a [*a]", "metadata: {flowline_model: {coefficients: x}}"] {
            #expect(throws: (any Error).self, "\(invalid)") { try YAMLDecoder().decode(ModelLoader.Descriptor.self, from: invalid) }
        }
    }
}
