import Foundation
import HTTPSupport
import JSON
import Hummingbird
import Logging
import HTTPTypes
import NIOCore
import OrchestratorDatabase
import Workflow

/// Errors in FastAPI's shape, as Airflow's API answers them: `{"detail": "..."}`.
struct OrchestratorErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OrchestratorError {
            return Self.response(status: .init(code: error.status), detail: error.message)
        } catch let error as APIError {
            return Response(status: error.status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: error.body.jsonText)))
        } catch let error as AuthError {
            switch error {
            case .notAuthenticated:
                var response = Self.response(status: .unauthorized, detail: "Not authenticated")
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            case .invalidToken:
                var response = Self.response(status: .unauthorized, detail: "Invalid JWT token")
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            case .forbidden(let needed):
                return Self.response(status: .forbidden, detail: "Forbidden: this needs the \(needed.rawValue) role")
            case .invalidCredentials:
                return Self.response(status: .unauthorized, detail: "Invalid credentials")
            case .throttled(let seconds):
                var response = Self.response(status: .tooManyRequests, detail: "Too many failed logins; try again in \(seconds) s")
                response.headers[.retryAfter] = String(seconds)
                return response
            case .busy:
                var response = Self.response(status: .serviceUnavailable, detail: "Too many logins at once; try again in a second")
                response.headers[.retryAfter] = "1"
                return response
            }
        } catch let error as HTTPError {
            var response = Self.response(status: error.status, detail: error.body ?? error.status.reasonPhrase)
            for field in error.headers { response.headers.append(field) }
            return response
        }
    }

    static func response(status: HTTPResponse.Status, detail: String) -> Response {
        let body = JSONValue.object(["detail": .string(detail)]).jsonText
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
