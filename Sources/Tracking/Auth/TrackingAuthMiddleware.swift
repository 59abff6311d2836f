import HTTPTypes
public import Hummingbird

/// Refuses, before routing, every request without credentials that allow it
/// (``TrackingAccess/required(method:path:)``): 401 `UNAUTHENTICATED` (with
/// `WWW-Authenticate: Basic`, so a browser asks) without valid credentials, 403
/// `PERMISSION_DENIED` when the user's role does not reach.
public struct TrackingAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: any TrackingAuthenticator

    public init(authenticator: any TrackingAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let needed = TrackingAccess.required(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw TrackingError(
                .unauthenticated,
                "Authentication required: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (a Flowline user), or MLFLOW_TRACKING_TOKEN"
            )
        }
        guard let identity = try await authenticator.identify(authorization: header) else {
            throw TrackingError(.unauthenticated, "Invalid credentials: the username and password, or the token, are not a Flowline user's")
        }
        guard identity.access >= needed else {
            throw TrackingError(
                .permissionDenied,
                "Permission denied: \(identity.username) may \(identity.access) but \(request.method) \(request.uri.path) needs \(needed) access"
            )
        }
        return try await next(request, context)
    }
}
