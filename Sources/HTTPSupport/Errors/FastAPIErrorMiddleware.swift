public import Hummingbird
public import JSON
import Logging
import NIOCore

/// Renders every error thrown by a service's routes, or by routing itself, in FastAPI's shape:
/// errors that render themselves (``FastAPIError`` and every `HTTPResponseError`), Hummingbird's
/// `HTTPError`, oversized bodies (413), and anything else as a logged 500.
public struct FastAPIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as FastAPIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            return try FastAPIError(status: error.status, message: message, headers: error.headers)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try FastAPIError(status: .contentTooLarge, message: "Request body is too large")
                .response(from: request, context: context)
        } catch {
            context.logger.error("Unexpected error: \(String(reflecting: error))")
            return try FastAPIError(status: .internalServerError, message: "Internal Server Error")
                .response(from: request, context: context)
        }
    }
}
