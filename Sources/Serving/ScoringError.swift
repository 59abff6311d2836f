public import HTTPTypes
public import Hummingbird
import JSON
import NIOCore

/// An error of the scoring server, answered as MLflow's scoring server does:
/// `{"error_code": "BAD_REQUEST", "message": …}`.
public struct ScoringError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public static func badRequest(_ message: String) -> ScoringError {
        ScoringError(status: .badRequest, code: "BAD_REQUEST", message: message)
    }

    public static func unavailable(_ message: String) -> ScoringError {
        ScoringError(status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeJSON(.object(["error_code": .string(code), "message": .string(message)]))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}

/// Renders ``ScoringError`` and Hummingbird's own errors (unknown route, wrong method) in the
/// scoring server's shape.
struct ScoringErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ScoringError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try ScoringError(
                status: error.status,
                code: error.status == .notFound ? "ENDPOINT_NOT_FOUND" : "BAD_REQUEST",
                message: error.body ?? error.status.reasonPhrase
            )
            .response(from: request, context: context)
        }
    }
}
