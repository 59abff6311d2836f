import Crypto
public import Foundation
import JWTKit
public import OrchestratorDatabase

/// Issues and checks login tokens: JWTs signed with HS256 by a key that exists only in this
/// server's memory (generated at start, never written to disk), so no task, file or backup can
/// read it. Tokens therefore end with the server process; web UI sessions, kept in the database,
/// survive restarts.
public struct TokenService: Sendable {
    /// How long a token is valid (Airflow: `jwt_expiration_time`, one day).
    public let lifetime: Duration
    private let keys: JWTKeyCollection

    /// The claims of a Flowline token: Airflow's `sub` and `role`, the standard times, and the
    /// user's credentials version (`ver`), so that changing a password ends older tokens.
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var role: String
        var ver: Int64
        var iat: IssuedAtClaim
        var nbf: NotBeforeClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf.verifyNotBefore()
        }
    }

    /// What a genuine, current token says.
    public struct Verified: Sendable, Equatable {
        public var username: String
        public var role: String
        /// The credentials version of the user when the token was issued.
        public var credentialsVersion: Int64
    }

    /// A token service with a new random 512-bit signing key.
    public static func generate(lifetime: Duration = .seconds(86_400)) async -> TokenService {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(size: .init(bitCount: 512))), digestAlgorithm: .sha256)
        return TokenService(lifetime: lifetime, keys: keys)
    }

    private init(lifetime: Duration, keys: JWTKeyCollection) {
        self.lifetime = lifetime
        self.keys = keys
    }

    /// The same signing key with another token lifetime.
    public func with(lifetime: Duration) -> TokenService {
        TokenService(lifetime: lifetime, keys: keys)
    }

    /// A token for `user`.
    public func issue(for user: User, now: Date = Date()) async throws -> String {
        let claims = Claims(
            sub: .init(value: user.username),
            role: user.role.rawValue,
            ver: user.credentialsVersion,
            iat: .init(value: now),
            nbf: .init(value: now.addingTimeInterval(-10)),
            exp: .init(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        )
        return try await keys.sign(claims)
    }

    /// What a token says, if it is genuine and current.
    public func verify(_ token: String) async -> Verified? {
        guard let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        return Verified(username: claims.sub.value, role: claims.role, credentialsVersion: claims.ver)
    }
}
