import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JSON
import Testing
import TrackingClient

/// The client against a server answering as MLflow's does, including its errors.
@Suite("Tracking client")
struct TrackingClientTests {
    /// Runs `body` with a client of a server whose routes `routes` adds.
    static func withServer(
        routes: @escaping @Sendable (Router<BasicRequestContext>) -> Void,
        _ body: @escaping @Sendable (TrackingClient) async throws -> Void
    ) async throws {
        let router = Router()
        routes(router)
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            let port = try #require(client.port)
            try await body(try TrackingClient(trackingURI: "http://127.0.0.1:\(port)"))
        }
    }

    /// The error `body` throws, or `nil` when it succeeds.
    static func failure(_ body: () async throws(TrackingClientError) -> Void) async -> TrackingClientError? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: text)))
    }

    @Test("MLflow's error answers become errors with its code, the status and the server's message")
    func errors() async throws {
        try await Self.withServer(routes: { router in
            router.get("/api/2.0/mlflow/runs/get") { _, _ in
                Self.json(#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope not found"}"#, status: .notFound)
            }
            router.get("/api/2.0/mlflow/experiments/get-by-name") { _, _ in
                Response(status: .badGateway, body: .init(byteBuffer: .init(string: "<html>proxy</html>")))
            }
        }) { client in
            let missing = try #require(await Self.failure { () async throws(TrackingClientError) in _ = try await client.run(id: "nope") })
            #expect(missing.code == "RESOURCE_DOES_NOT_EXIST" && missing.status == 404 && missing.isMissingResource)
            #expect(missing.message.contains("Run with id=nope not found"), "\(missing.message)")
            let proxy = try #require(
                await Self.failure { () async throws(TrackingClientError) in
                    _ = try await client.call("GET", "experiments/get-by-name", ["experiment_name": "x"])
                }
            )
            #expect(proxy.code == nil && proxy.status == 502 && proxy.message.contains("<html>proxy</html>"))
        }
    }

    @Test("A missing alias or model is nil; a bad request that happens to share the alias error is not swallowed")
    func aliases() async throws {
        try await Self.withServer(routes: { router in
            router.get("/api/2.0/mlflow/registered-models/alias") { request, _ in
                switch request.uri.queryParameters["name"].map(String.init) {
                case "known":
                    return Self.json(#"{"model_version": {"name": "known", "version": "4", "run_id": "r4"}}"#)
                case "absent":
                    return Self.json(
                        #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model with name=absent not found"}"#,
                        status: .notFound
                    )
                default:
                    return Self.json(
                        #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias champion not found."}"#,
                        status: .badRequest
                    )
                }
            }
            router.get("/api/2.0/mlflow/registered-models/get") { request, _ in
                let name = request.uri.queryParameters["name"].map(String.init) ?? ""
                let aliases = name == "confused" ? #"[{"alias": "champion", "version": "1"}]"# : "[]"
                return Self.json(#"{"registered_model": {"name": "\#(name)", "aliases": \#(aliases)}}"#)
            }
        }) { client in
            let known = try await client.modelVersion(model: "known", alias: "champion")
            let absent = try await client.modelVersion(model: "absent", alias: "champion")
            let fresh = try await client.modelVersion(model: "fresh", alias: "champion")
            #expect(known?["version"]?.string == "4")
            #expect(absent == nil && fresh == nil)
            // The model says it has the alias: the 400 was something else, and is reported.
            await #expect(throws: TrackingClientError.self) { try await client.modelVersion(model: "confused", alias: "champion") }
        }
    }

    @Test("A server that is down or answers something else than JSON is a clear error")
    func unreachable() async throws {
        let client = try TrackingClient(trackingURI: "http://127.0.0.1:1")
        let down = try #require(await Self.failure { () async throws(TrackingClientError) in _ = try await client.run(id: "r") })
        #expect(down.status == nil && down.message.contains("cannot reach the tracking server at http://127.0.0.1:1"), "\(down.message)")
        try await Self.withServer(routes: { router in
            router.get("/api/2.0/mlflow/runs/get") { _, _ in Response(status: .ok, body: .init(byteBuffer: .init(string: "not json"))) }
        }) { client in
            let garbled = try #require(await Self.failure { () async throws(TrackingClientError) in _ = try await client.run(id: "r") })
            #expect(garbled.message.contains("something that is not JSON"), "\(garbled.message)")
        }
        #expect(throws: TrackingClientError.self) { try TrackingClient(trackingURI: "file:///tmp/mlruns") }
    }
}
