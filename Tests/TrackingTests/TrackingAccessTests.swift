import HTTPTypes
import Testing
import Tracking

@Suite("Tracking access")
struct TrackingAccessTests {
    @Test("Reads, writes and management: what each request needs")
    func required() {
        let cases: [(HTTPRequest.Method, String, TrackingAccess?)] = [
            (.get, "/health", nil), (.get, "/version", nil), (.get, "/api/3.0/mlflow/server-info", nil),
            (.get, "/", .read), (.get, "/metrics", .read), (.get, "/api/2.0/mlflow/runs/get", .read),
            (.post, "/api/2.0/mlflow/runs/search", .read), (.post, "/ajax-api/2.0/mlflow/experiments/search", .read),
            (.post, "/api/2.0/mlflow/logged-models/search", .read), (.post, "/api/2.0/mlflow/registered-models/get-latest-versions", .read),
            (.post, "/api/2.0/mlflow/runs/log-metric", .write), (.post, "/api/2.0/mlflow/runs/delete", .write),
            (.put, "/api/2.0/mlflow-artifacts/artifacts/1/x", .write), (.delete, "/api/2.0/mlflow-artifacts/artifacts/1/x", .write),
            (.post, "/api/2.0/mlflow/registered-models/alias", .write), (.post, "/api/2.0/mlflow/model-versions/create", .write),
            (.delete, "/api/2.0/mlflow/registered-models/delete", .manage), (.patch, "/api/2.0/mlflow/registered-models/rename", .manage),
            (.post, "/api/2.0/mlflow/registered-models/rename", .manage), (.delete, "/api/2.0/mlflow/model-versions/delete", .manage),
            (.post, "/api/2.0/mlflow/experiments/delete", .manage), (.post, "/api/2.0/mlflow/experiments/search/../delete", .write),
            // Other spellings of a managing path need as much.
            (.delete, "/api/2.0/mlflow/registered-models/delete/", .manage), (.delete, "//api/2.0/mlflow//registered-models/delete", .manage),
            (.delete, "/api/2.0/mlflow/registered-models/%64elete", .manage), (.delete, "/ajax-api/2.0/mlflow/model-versions/delete", .manage),
            (.get, "/health/", nil), (.post, "/health", nil),
        ]
        for (method, path, needed) in cases {
            #expect(TrackingAccess.required(method: method, path: path) == needed, "\(method) \(path)")
        }
        #expect(TrackingAccess.read < .write && .write < .manage)
    }
}
