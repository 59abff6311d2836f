import Foundation
import HTTPSupport
import Hummingbird
import JSON
import Logging
import NIOCore
import OrchestratorDatabase
import Workflow

/// Checks the bearer token of every `/api/v2` request, except health and version (which Airflow
/// serves without login), and records who is asking. A request without a valid token is refused
/// before routing, so no route, existing or not, answers anything else.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext

    static let publicPaths: Set<String> = ["/api/v2/monitor/health", "/api/v2/version"]
    /// The worker API's paths, for worker tokens only.
    static let workerPrefix = "/edge_worker/"

    /// The token of an `Authorization: Bearer …` header.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    let tokens: TokenService
    let store: OrchestratorStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix(Self.workerPrefix) {
            // Workers use their own tokens, and only here; users' tokens do not open the worker API.
            guard let token = Self.bearer(request) else { throw AuthError.notAuthenticated }
            guard let name = try await store.workerTokenName(for: token) else { throw AuthError.invalidWorkerToken }
            var context = context
            context.workerToken = name
            return try await next(request, context)
        }
        guard path.hasPrefix("/api/v2"), !Self.publicPaths.contains(path) else {
            return try await next(request, context)
        }
        guard let token = Self.bearer(request) else { throw AuthError.notAuthenticated }
        guard let claims = await tokens.verify(token) else { throw AuthError.invalidToken }
        // The user's current role counts: a deleted user's tokens stop working at once, and so do
        // tokens issued before the user's password last changed.
        // A database that fails is a 5xx, never "invalid token".
        guard let user = try await store.existingUser(claims.username), user.credentialsVersion == claims.credentialsVersion else {
            throw AuthError.invalidToken
        }
        var context = context
        context.identity = Identity(username: user.username, role: user.role)
        return try await next(request, context)
    }
}
