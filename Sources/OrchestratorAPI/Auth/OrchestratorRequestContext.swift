import Foundation
public import Hummingbird
public import NIOCore
public import OrchestratorDatabase

/// The orchestrator's request context: the client's address (for login throttling) and, once the
/// token is checked, who is asking.
public struct OrchestratorRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The user the bearer token (API) or the session cookie (web UI) names.
    public var identity: Identity?
    /// The worker token's name, on the worker API (`/edge_worker/v1`).
    public var workerToken: String?
    /// The web UI's login session, when the request came with one.
    public var uiSession: UISession?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, for logs and throttling.
    public var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }

    /// The caller, if their role is at least `role`.
    /// - Throws: 401 without a valid token, 403 when the role is too low.
    public func require(_ role: Role) throws -> Identity {
        guard let identity else { throw AuthError.notAuthenticated }
        guard identity.role >= role else { throw AuthError.forbidden(needed: role) }
        return identity
    }
}
