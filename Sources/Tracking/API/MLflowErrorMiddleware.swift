import HTTPSupport
public import Hummingbird
import JSON
import Logging
import NIOCore

/// Renders every error of the tracking API as MLflow does: `{"error_code", "message"}` with the
/// status of ``TrackingError/Code``. This is the one place tracking errors become HTTP.
///
/// Routing errors are JSON too (MLflow answers HTML there): 404 `ENDPOINT_NOT_FOUND`, 405
/// `BAD_REQUEST`. Anything unexpected is a 500 `INTERNAL_ERROR`, logged with its details.
public struct MLflowErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as TrackingError {
            return Self.response(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                return Self.response(TrackingError(.endpointNotFound, "No API endpoint \(request.method) \(request.uri.path)"))
            case .methodNotAllowed:
                var response = Self.response(
                    TrackingError(
                        TrackingError.Code(name: "BAD_REQUEST", httpStatus: 405),
                        "Method \(request.method) is not allowed on \(request.uri.path)"
                    )
                )
                response.headers[.allow] = error.headers[.allow]
                return response
            default:
                let name = error.status == .forbidden ? "PERMISSION_DENIED" : error.status.code < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR"
                let code = TrackingError.Code(name: name, httpStatus: error.status.code)
                return Self.response(TrackingError(code, error.body ?? error.status.reasonPhrase))
            }
        } catch {
            // The details (a database's message, a file path) go to the log, never to the client.
            context.logger.error("Unexpected error on \(request.method) \(request.uri.path): \(String(reflecting: error))")
            return Self.response(TrackingError(.internalError, "Internal error; the server's log has the details."))
        }
    }

    static func response(_ error: TrackingError) -> Response {
        var buffer = ByteBuffer()
        buffer.writeJSON(.object(["error_code": .string(error.code.name), "message": .string(error.message)]))
        var response = Response.json(buffer, status: HTTPResponse.Status(code: error.code.httpStatus))
        // A 401 says how to authenticate: HTTP basic, which the mlflow client sends.
        if error.code == .unauthenticated { response.headers[.wwwAuthenticate] = #"Basic realm="flowline-tracking""# }
        return response
    }
}
