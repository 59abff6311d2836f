import Crypto
import Foundation
import OrchestratorAPI
import OrchestratorDatabase
import Synchronization
import Tracking

/// The tracking server's logins: the orchestrator's users and roles (a viewer reads, an op writes,
/// an admin also deletes and renames in the registry) and its tokens, so there is one set of users
/// for both servers.
///
/// - `Basic` credentials are checked with the same throttle as the orchestrator's logins; a
///   checked pair is remembered for ``cacheLifetime`` (as a SHA-256 of the header only), since the
///   `mlflow` client sends it with every request and bcrypt takes tens of milliseconds.
/// - `Bearer` tokens are the orchestrator's JWTs: a user's (`POST /auth/token`), whose user must
///   still exist with the same credentials, or a try's own token (write access, until it expires).
final class TrackingLogins: TrackingAuthenticator {
    let store: OrchestratorStore
    let tokens: TokenService
    /// Checked basic credentials: the header's digest → who, and until when.
    private let checked = Mutex<[SHA256.Digest: (identity: TrackingIdentity, until: Date)]>([:])
    /// How long a checked password is trusted before it is checked again (a role change or a new
    /// password takes effect within this).
    static let cacheLifetime: TimeInterval = 30
    /// The most checked pairs remembered.
    static let cacheSize = 1024

    init(store: OrchestratorStore, tokens: TokenService) {
        self.store = store
        self.tokens = tokens
    }

    func identify(authorization: String) async throws -> TrackingIdentity? {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "basic": return try await basic(value)
        case "bearer": return try await bearer(value)
        default: return nil
        }
    }

    func basic(_ encoded: String) async throws -> TrackingIdentity? {
        guard encoded.utf8.count <= 512, let data = Data(base64Encoded: encoded), let pair = String(data: data, encoding: .utf8),
            let colon = pair.firstIndex(of: ":")
        else { return nil }
        let digest = SHA256.hash(data: data)
        let now = Date()
        if let known = checked.withLock({ $0[digest] }), known.until > now { return known.identity }
        let username = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        let user: User
        do {
            // The tracking server does not see client addresses: failures count per user only (an
            // address shared by all would let ten bad logins lock every user out).
            user = try await store.login(username, password: password, address: "tracking-user:\(username)")
        } catch AuthError.invalidCredentials {
            return nil
        } catch AuthError.throttled(let seconds) {
            throw TrackingError(.resourceExhausted, "Too many failed logins for \(username): try again in \(seconds) s")
        } catch AuthError.busy {
            throw TrackingError(.temporarilyUnavailable, "Too many logins are being checked: try again in a moment")
        }
        let identity = TrackingIdentity(username: user.username, access: Self.access(of: user.role))
        checked.withLock { cache in
            if cache.count >= Self.cacheSize { cache = cache.filter { $0.value.until > now } }
            if cache.count < Self.cacheSize { cache[digest] = (identity, now.addingTimeInterval(Self.cacheLifetime)) }
        }
        return identity
    }

    func bearer(_ token: String) async throws -> TrackingIdentity? {
        guard let claims = await tokens.verify(token) else { return nil }
        if claims.username.hasPrefix(TokenService.taskSubjectPrefix) {
            return claims.role == "task" ? TrackingIdentity(username: claims.username, access: .write) : nil
        }
        guard let user = try await store.existingUser(claims.username), user.credentialsVersion == claims.credentialsVersion else { return nil }
        return TrackingIdentity(username: user.username, access: Self.access(of: user.role))
    }

    static func access(of role: Role) -> TrackingAccess {
        switch role {
        case .viewer: .read
        case .op: .write
        case .admin: .manage
        }
    }
}
