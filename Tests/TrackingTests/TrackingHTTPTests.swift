import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Storage
import TestSupport
import Testing
import Tracking

/// The MLflow REST API over HTTP on a live loopback server.
@Suite("Tracking API over HTTP")
struct TrackingHTTPTests {
    static func withServer(_ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        try await withTestDatabase(.sqlite, migrations: TrackingMigrations.all) { database in
            let configuration = TrackingConfiguration(port: 0, backendStore: database.url, artifactsDestination: "/nonexistent")
            let application = try buildTrackingApplication(
                configuration: configuration,
                database: database,
                version: "test",
                logger: TestLogger.silent
            )
            try await application.test(.live, test)
        }
    }

    static func call(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ path: String,
        _ body: String? = nil,
        headers: HTTPFields = [.contentType: "application/json"]
    ) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        let response = try await client.execute(uri: "/api/2.0/mlflow" + path, method: method, headers: headers, body: body.map { ByteBuffer($0) })
        return (response.status, try jsonDictionary(response.body))
    }

    @Test("The logging flow of the mlflow client: experiment, run, params, metrics, tags, history")
    func loggingFlow() async throws {
        try await Self.withServer { client in
            let missing = try await Self.call(client, .get, "/experiments/get-by-name?experiment_name=line")
            #expect(missing.status == .notFound)
            #expect(missing.json["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")

            let created = try await Self.call(client, .post, "/experiments/create", #"{"name": "line"}"#)
            let experimentID = try #require(created.json["experiment_id"] as? String)
            let experiment = try await Self.call(client, .get, "/experiments/get?experiment_id=\(experimentID)")
            #expect((experiment.json["experiment"] as? [String: Any])?["artifact_location"] as? String == "mlflow-artifacts:/\(experimentID)")

            let run = try await Self.call(
                client,
                .post,
                "/runs/create",
                #"{"experiment_id": "\#(experimentID)", "start_time": "1700000000000", "tags": [{"key": "mlflow.user", "value": "alice"}], "run_name": "r1"}"#
            )
            let info = try #require((run.json["run"] as? [String: Any])?["info"] as? [String: Any])
            let runID = try #require(info["run_id"] as? String)
            #expect(info["run_uuid"] as? String == runID)
            #expect(info["status"] as? String == "RUNNING")
            #expect(info["start_time"] as? Int == 1_700_000_000_000)
            #expect(info["user_id"] as? String == "alice")

            let batch = try await Self.call(
                client,
                .post,
                "/runs/log-batch",
                #"""
                {"run_id": "\#(runID)", "params": [{"key": "coefficient", "value": "2.5"}],
                 "metrics": [{"key": "training-R2-score", "value": 0.98, "timestamp": 1700000000001, "step": 0},
                             {"key": "loss", "value": "NaN", "timestamp": 1700000000001}]}
                """#
            )
            #expect(batch.status == .ok && batch.json.isEmpty)
            for step in 1...3 {
                let logged = try await Self.call(
                    client,
                    .post,
                    "/runs/log-metric",
                    #"{"run_uuid": "\#(runID)", "key": "test-R2-score", "value": \#(0.9 + Double(step) / 100), "timestamp": \#(1_700_000_000_100 + step), "step": \#(step)}"#
                )
                #expect(logged.status == .ok)
            }
            #expect(
                try await Self.call(client, .post, "/runs/set-tag", #"{"run_id": "\#(runID)", "key": "model-gitsha", "value": "abc"}"#).status == .ok
            )

            let fetched = try await Self.call(client, .get, "/runs/get?run_uuid=\(runID)&run_id=\(runID)")
            let data = try #require((fetched.json["run"] as? [String: Any])?["data"] as? [String: Any])
            let metrics = try #require(data["metrics"] as? [[String: Any]])
            #expect(metrics.first { $0["key"] as? String == "test-R2-score" }?["step"] as? Int == 3)
            #expect(metrics.first { $0["key"] as? String == "loss" }?["value"] as? String == "NaN")
            #expect((data["params"] as? [[String: Any]])?.first?["value"] as? String == "2.5")

            let history = try await Self.call(client, .get, "/metrics/get-history?run_id=\(runID)&metric_key=test-R2-score&max_results=2")
            #expect((history.json["metrics"] as? [[String: Any]])?.count == 2)
            let token = try #require(history.json["next_page_token"] as? String)
            let rest = try await Self.call(
                client,
                .get,
                "/metrics/get-history?run_id=\(runID)&metric_key=test-R2-score&max_results=2&page_token=\(token)"
            )
            #expect((rest.json["metrics"] as? [[String: Any]])?.count == 1)
            #expect(rest.json["next_page_token"] == nil)

            let finished = try await Self.call(
                client,
                .post,
                "/runs/update",
                #"{"run_id": "\#(runID)", "status": "FINISHED", "end_time": 1700000009999}"#
            )
            #expect((finished.json["run_info"] as? [String: Any])?["status"] as? String == "FINISHED")
        }
    }

    @Test("Errors are MLflow's: code, message and status; validation is never a 5xx")
    func errors() async throws {
        try await Self.withServer { client in
            let run = try await Self.call(client, .post, "/runs/create", #"{"experiment_id": "0"}"#)
            let runID = try #require(((run.json["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status, String)] = [
                (.post, "/experiments/create", "{}", .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/experiments/create", "not json", .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/experiments/create", #"{"name": "Default"}"#, .badRequest, "RESOURCE_ALREADY_EXISTS"),
                (.get, "/experiments/get?experiment_id=abc", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/experiments/get?experiment_id=99", nil, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.get, "/runs/get?run_id=ffffffffffffffffffffffffffffffff", nil, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.get, "/runs/get?run_id=a&run_uuid=b", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": "abc", "timestamp": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/runs/log-metric", #"{"run_id": "\#(runID)", "key": "../m", "value": 1, "timestamp": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p", "value": "1"}"#, .ok, ""),
                (.post, "/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p", "value": "2"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/runs/delete-tag", #"{"run_id": "\#(runID)", "key": "nope"}"#, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.get, "/metrics/get-history?run_id=\(runID)&metric_key=m&page_token=%%%", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/no/such/endpoint", nil, .notFound, "ENDPOINT_NOT_FOUND"),
                (
                    .post, "/runs/log-batch",
                    #"{"run_id": "\#(runID)", "tags": [{"key": "big", "value": "\#(String(repeating: "x", count: 1_000_001))"}]}"#,
                    .badRequest, "INVALID_PARAMETER_VALUE"
                ),
                (.get, "/runs/create", nil, .methodNotAllowed, "BAD_REQUEST"),
                (.post, "/experiments/create", "[1, 2]", .badRequest, "INVALID_PARAMETER_VALUE"),
                // Past the database's join limit: refused as input, never a raw database error.
                (
                    .post, "/runs/search",
                    #"{"experiment_ids": ["0"], "filter": "\#((0..<65).map { "params.p\($0) = 'x'" }.joined(separator: " and "))"}"#,
                    .badRequest, "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/runs/search",
                    #"{"experiment_ids": ["0"], "order_by": [\#((0..<65).map { "\"metrics.m\($0)\"" }.joined(separator: ", "))]}"#,
                    .badRequest, "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/runs/search",
                    #"{"experiment_ids": ["0"], "filter": "\#((0..<40).map { "metrics.m\($0) > 0" }.joined(separator: " and "))", "order_by": [\#((0..<20).map { "\"params.p\($0)\"" }.joined(separator: ", "))]}"#,
                    .ok, ""
                ),
                (.post, "/experiments/create", #"{"name": "a\u0000b"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/runs/set-tag", #"{"run_id": "\#(runID)", "key": "t", "value": "cut\u0000here"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
            ]
            for (method, path, body, status, code) in cases {
                let response = try await Self.call(client, method, path, body)
                #expect(response.status == status, "\(method) \(path) \(body ?? "")")
                if !code.isEmpty {
                    #expect(response.json["error_code"] as? String == code, "\(method) \(path)")
                    #expect((response.json["message"] as? String)?.isEmpty == false)
                }
            }
        }
    }

    @Test("Writes need JSON: another content type, a body that is not JSON, or a page of another site change nothing")
    func writesNeedJSON() async throws {
        try await Self.withServer { client in
            let form = try await Self.call(
                client,
                .post,
                "/experiments/create",
                "name=x",
                headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            #expect(form.status == .badRequest && form.json["error_code"] as? String == "INVALID_PARAMETER_VALUE")
            #expect((form.json["message"] as? String)?.contains("Content-Type: application/json") == true)
            let plain = try await Self.call(client, .post, "/experiments/create", #"{"name": "via-text"}"#, headers: [.contentType: "text/plain"])
            #expect(plain.status == .badRequest)
            let none = try await Self.call(client, .post, "/runs/create", #"{"experiment_id": "0"}"#, headers: [:])
            #expect(none.status == .badRequest)
            let notJSON = try await Self.call(client, .post, "/runs/create", "experiment_id=0")
            #expect(notJSON.status == .badRequest && (notJSON.json["message"] as? String)?.contains("not valid JSON") == true)
            let crossSite = try await Self.call(
                client,
                .post,
                "/experiments/create",
                #"{"name": "cross"}"#,
                headers: [.contentType: "application/json", .origin: "https://evil.example"]
            )
            #expect(crossSite.status == .forbidden && crossSite.json["error_code"] as? String == "PERMISSION_DENIED")
            // Nothing of the refused writes was stored; the double-encoded body of old clients still works.
            let search = try await Self.call(client, .get, "/experiments/search?max_results=100")
            let names = ((search.json["experiments"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["Default"], "\(names)")
            let runs = try await Self.call(client, .post, "/runs/search", #"{"experiment_ids": ["0"]}"#)
            #expect(runs.status == .ok)
            #expect((runs.json["runs"] as? [Any]) == nil)
            let double = try await Self.call(client, .post, "/experiments/create", #""{\"name\": \"double\"}""#)
            #expect(double.status == .ok, "\(double.json)")
        }
    }

    @Test("A write without a body needs no content type: an empty body is {}")
    func bodylessWrites() async throws {
        try await Self.withServer { client in
            let missing = try await Self.call(client, .delete, "/logged-models/m-0123456789abcdef", headers: [:])
            #expect(missing.status == .notFound && missing.json["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST", "\(missing.json)")
            let created = try await Self.call(client, .post, "/logged-models", #"{"experiment_id": "0"}"#)
            #expect(created.status == .ok, "\(created.json)")
            let modelID = try #require(((created.json["model"] as? [String: Any])?["info"] as? [String: Any])?["model_id"] as? String)
            let deleted = try await Self.call(client, .delete, "/logged-models/\(modelID)", headers: [:])
            #expect(deleted.status == .ok, "\(deleted.json)")
            // A body still has to be JSON, said so.
            let form = try await Self.call(
                client,
                .delete,
                "/logged-models/\(modelID)",
                "x=1",
                headers: [.contentType: "application/x-www-form-urlencoded"]
            )
            #expect(form.status == .badRequest && (form.json["message"] as? String)?.contains("Content-Type: application/json") == true)
        }
    }

    @Test(
        "Artifacts: uploads past --max-artifact-size are refused and leave nothing; deletes and replacements need the configured credential; planted symbolic links are never followed"
    )
    func artifactLimits() async throws {
        try await withTemporaryDirectory { folder in
            let root = folder.url.appendingPathComponent("artifacts")
            let outside = folder.url.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            let planted = "contents-planted-outside"
            try Data(planted.utf8).write(to: outside.appendingPathComponent("secret.txt"))
            try await withTestDatabase(.sqlite, migrations: TrackingMigrations.all) { database in
                var configuration = TrackingConfiguration(port: 0, backendStore: database.url, artifactsDestination: root.path)
                configuration.maximumArtifactSize = 1_000
                configuration.artifactDeleteCredential = BasicCredential("keeper:s3cret")
                let application = try buildTrackingApplication(
                    configuration: configuration,
                    database: database,
                    version: "test",
                    logger: TestLogger.silent
                )
                try await application.test(.live) { client in
                    let base = "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/"
                    let small = try await client.execute(uri: base + "small.bin", method: .put, body: ByteBuffer(repeating: 1, count: 500))
                    #expect(small.status == .ok)
                    let big = try await client.execute(uri: base + "big.bin", method: .put, body: ByteBuffer(repeating: 1, count: 2_000))
                    #expect(big.status == .contentTooLarge && String(buffer: big.body).contains("--max-artifact-size"))
                    let folderContents = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("0/run/artifacts").path)
                    #expect(folderContents == ["small.bin"], "\(folderContents)")
                    // Replacing a file that exists needs the credential too; a new file needs none.
                    let stored = root.appendingPathComponent("0/run/artifacts/small.bin")
                    let overwrite = try await client.execute(uri: base + "small.bin", method: .put, body: ByteBuffer())
                    #expect(overwrite.status == .unauthorized && overwrite.headers[.wwwAuthenticate] != nil)
                    #expect(try Data(contentsOf: stored).count == 500, "the unauthenticated upload left the file as it was")
                    let wrongOverwrite = try await client.execute(
                        uri: base + "small.bin",
                        method: .put,
                        headers: [.authorization: "Basic " + Data("keeper:nope".utf8).base64EncodedString()],
                        body: ByteBuffer()
                    )
                    #expect(wrongOverwrite.status == .unauthorized)
                    let replaced = try await client.execute(
                        uri: base + "small.bin",
                        method: .put,
                        headers: [.authorization: "Basic " + Data("keeper:s3cret".utf8).base64EncodedString()],
                        body: ByteBuffer(repeating: 2, count: 400)
                    )
                    #expect(replaced.status == .ok)
                    #expect(try Data(contentsOf: stored) == Data(repeating: 2, count: 400))
                    let anonymous = try await client.execute(uri: base + "small.bin", method: .delete)
                    #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] != nil)
                    let wrong = try await client.execute(
                        uri: base + "small.bin",
                        method: .delete,
                        headers: [.authorization: "Basic " + Data("keeper:nope".utf8).base64EncodedString()]
                    )
                    #expect(wrong.status == .unauthorized)
                    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("0/run/artifacts/small.bin").path))
                    let allowed = try await client.execute(
                        uri: base + "small.bin",
                        method: .delete,
                        headers: [.authorization: "Basic " + Data("keeper:s3cret".utf8).base64EncodedString()]
                    )
                    #expect(allowed.status == .ok)
                    // A link planted under the root (by anything that can write there) leads nowhere.
                    try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("0/run/artifacts/link"), withDestinationURL: outside)
                    let read = try await client.execute(uri: base + "link/secret.txt", method: .get)
                    #expect(read.status == .badRequest && !String(buffer: read.body).contains(planted))
                    let write = try await client.execute(uri: base + "link/new.txt", method: .put, body: ByteBuffer(string: "x"))
                    #expect(write.status == .badRequest)
                    #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("new.txt").path))
                    let listed = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=0/run/artifacts", method: .get)
                    #expect(listed.status == .ok)
                    let listing = try jsonDictionary(listed.body)
                    #expect((listing["files"] as? [[String: Any]])?.isEmpty ?? true, "\(listing)")
                    let through = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=0/run/artifacts/link", method: .get)
                    #expect(through.status == .badRequest)
                }
            }
        }
    }

    @Test("The UI's /ajax-api prefix, /health, /version and server-info")
    func misc() async throws {
        try await Self.withServer { client in
            let ajax = try await client.execute(uri: "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0", method: .get)
            #expect(ajax.status == .ok)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(String(buffer: health.body) == "OK")
            let version = try await client.execute(uri: "/version", method: .get)
            #expect(String(buffer: version.body) == "test")
            let info = try jsonDictionary(try await client.execute(uri: "/api/3.0/mlflow/server-info", method: .get).body)
            #expect(info["multipart_uploads_enabled"] as? Bool == false)
        }
    }

    @Test("Artifact uploads and downloads refuse paths that leave the artifact root")
    func artifactTraversal() async throws {
        try await withTemporaryDirectory { folder in
            try await withTestDatabase(.sqlite, migrations: TrackingMigrations.all) { database in
                let configuration = TrackingConfiguration(
                    port: 0,
                    backendStore: database.url,
                    artifactsDestination: folder.url.appendingPathComponent("artifacts").path
                )
                let application = try buildTrackingApplication(
                    configuration: configuration,
                    database: database,
                    version: "test",
                    logger: TestLogger.silent
                )
                try await application.test(.live) { client in
                    let stored = try await client.execute(
                        uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/ok.txt",
                        method: .put,
                        body: ByteBuffer("fine")
                    )
                    #expect(stored.status == .ok)
                    let read = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/ok.txt", method: .get)
                    #expect(String(buffer: read.body) == "fine")
                    for path in ["0/%2E%2E/%2E%2E/escape.txt", "%2E%2E/escape.txt", "0/..%2F..%2Fescape.txt"] {
                        let response = try await client.execute(
                            uri: "/api/2.0/mlflow-artifacts/artifacts/" + path,
                            method: .put,
                            body: ByteBuffer("x")
                        )
                        #expect(response.status == .badRequest, "\(path)")
                        #expect(try jsonDictionary(response.body)["error_code"] as? String == "INVALID_PARAMETER_VALUE")
                    }
                    let missing = try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/none.txt", method: .get)
                    #expect(missing.status == .notFound)
                    let listing = try jsonDictionary(
                        try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=0/run/artifacts", method: .get).body
                    )
                    #expect((listing["files"] as? [[String: Any]])?.first?["path"] as? String == "ok.txt")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("escape.txt").path))
        }
    }

    @Test(
        "Artifact folders whose names have spaces, plus signs or non-ASCII letters are listed, the path read as the client's query string encodes it"
    )
    func artifactListingEncodings() async throws {
        try await withTemporaryDirectory { folder in
            try await withTestDatabase(.sqlite, migrations: TrackingMigrations.all) { database in
                let configuration = TrackingConfiguration(
                    port: 0,
                    backendStore: database.url,
                    artifactsDestination: folder.url.appendingPathComponent("artifacts").path
                )
                let application = try buildTrackingApplication(
                    configuration: configuration,
                    database: database,
                    version: "test",
                    logger: TestLogger.silent
                )
                try await application.test(.live) { client in
                    let run = try await Self.call(client, .post, "/runs/create", #"{"experiment_id": "0"}"#)
                    let runID = try #require(((run.json["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
                    let root = "0/\(runID)/artifacts"
                    // Uploads name the file in the URL's path: %20 is a space, + is itself.
                    for path in ["dir%20with%20space/a.txt", "%C3%BCn%C3%AFcode/b.txt", "dir%20with%20space/plus+sign/c.txt"] {
                        let stored = try await client.execute(
                            uri: "/api/2.0/mlflow-artifacts/artifacts/\(root)/\(path)",
                            method: .put,
                            body: ByteBuffer("x")
                        )
                        #expect(stored.status == .ok, "\(path)")
                    }
                    // Listings take the folder in the query string, form-encoded: + is a space there, %2B a plus.
                    let listings: [(query: String, folder: String, names: [String])] = [
                        ("dir+with+space", "dir with space", ["a.txt", "plus+sign"]),
                        ("dir%20with%20space", "dir with space", ["a.txt", "plus+sign"]),
                        ("dir+with+space/plus%2Bsign", "dir with space/plus+sign", ["c.txt"]), ("%C3%BCn%C3%AFcode", "ünïcode", ["b.txt"]),
                    ]
                    for listing in listings {
                        // The proxied listing names entries by themselves; the tracking API's by their path in the run.
                        let proxied = try jsonDictionary(
                            try await client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts?path=\(root)/\(listing.query)", method: .get).body
                        )
                        #expect((proxied["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == listing.names, "\(listing.query)")
                        let tracked = try await Self.call(client, .get, "/artifacts/list?run_id=\(runID)&path=\(listing.query)")
                        let paths = (tracked.json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
                        #expect(paths == listing.names.map { "\(listing.folder)/\($0)" }, "\(listing.query)")
                    }
                }
            }
        }
    }

    @Test(
        "A model version of a logged model: its run is the model's, its download URI the model's artifacts, and no model_id is sent, as MLflow's registry keeps none"
    )
    func loggedModelVersion() async throws {
        try await Self.withServer { client in
            let run = try await Self.call(client, .post, "/runs/create", #"{"experiment_id": "0"}"#)
            let runID = try #require(((run.json["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
            let model = try await Self.call(client, .post, "/logged-models", #"{"experiment_id": "0", "source_run_id": "\#(runID)"}"#)
            let info = try #require((model.json["model"] as? [String: Any])?["info"] as? [String: Any])
            let modelID = try #require(info["model_id"] as? String)
            #expect(try await Self.call(client, .post, "/registered-models/create", #"{"name": "line"}"#).status == .ok)
            let created = try await Self.call(
                client,
                .post,
                "/model-versions/create",
                #"{"name": "line", "source": "models:/\#(modelID)", "model_id": "\#(modelID)"}"#
            )
            let version = try #require(created.json["model_version"] as? [String: Any])
            #expect(version["run_id"] as? String == runID && version["model_id"] == nil)
            let download = try await Self.call(client, .get, "/model-versions/get-download-uri?name=line&version=1")
            #expect(download.json["artifact_uri"] as? String == info["artifact_uri"] as? String)
        }
    }

    @Test("Reading an alias that does not exist answers 400 INVALID_PARAMETER_VALUE, a model that does not exist 404, as MLflow does")
    func missingAlias() async throws {
        try await Self.withServer { client in
            #expect(try await Self.call(client, .post, "/registered-models/create", #"{"name": "line"}"#).status == .ok)
            let missing = try await Self.call(client, .get, "/registered-models/alias?name=line&alias=missing")
            #expect(missing.status == .badRequest && missing.json["error_code"] as? String == "INVALID_PARAMETER_VALUE")
            #expect(missing.json["message"] as? String == "Registered model alias missing not found.")
            let noModel = try await Self.call(client, .get, "/registered-models/alias?name=other&alias=champion")
            #expect(noModel.status == .notFound && noModel.json["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
        }
    }
}
