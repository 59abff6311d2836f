import Foundation
public import HTTPSupport
public import Hummingbird
import JSON
public import Logging
import NIOCore
import TrackingClient
import Training

/// Builds the scoring server (MLflow's protocol): `POST /invocations` → `{"predictions": […]}`,
/// `GET /ping` and `/health` (200 once a model is loaded, 503 before), `GET /version`.
/// - Parameter policy: host names, cross-site writes, timeouts and connection limits.
public func buildServingApplication(
    host: String,
    port: Int,
    policy: ServerPolicy = ServerPolicy(),
    watcher: ModelWatcher,
    version: String,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let service = ServiceRouter(logger: logger, errorMiddleware: ScoringErrorMiddleware<BasicRequestContext>(), policy: policy, host: host)
    let router = service.router
    router.post("/invocations") { request, _ -> Response in
        guard let model = watcher.current.model else {
            throw ScoringError.unavailable("No model to serve yet: \(watcher.current.problem ?? "loading")")
        }
        let body = try await request.body.collect(upTo: ScoringInput.maximumBodySize)
        let inputs = try ScoringInput.values(body: Array(buffer: body), contentType: request.headers[.contentType])
        var writer = JSONWriter()
        writer.object { $0.array("predictions", inputs) { $0.value(model.predict($1)) } }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
    }
    for path in ["/ping", "/health"] {
        router.get(RouterPath(stringLiteral: path)) { _, _ -> Response in
            let current = watcher.current
            guard current.model != nil else { throw ScoringError.unavailable(current.problem ?? "loading") }
            var buffer = ByteBuffer()
            buffer.writeJSON(
                .object([
                    "status": "ok", "model": .string(watcher.reference.description), "version": current.version.map { .string($0) } ?? .null,
                ])
            )
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
    }
    router.get("/version") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: version)))
    }
    return service.application(port: port, serverName: "flowline-serving", logger: logger, onServerRunning: onServerRunning)
}
