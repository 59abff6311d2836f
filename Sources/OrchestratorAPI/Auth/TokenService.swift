import Crypto
public import Foundation
import JWTKit
public import OrchestratorDatabase

/// Issues and checks login tokens and task tokens: JWTs signed with HS256 by the database's
/// signing key (``OrchestratorStore/signingKey()``), shared by every server on the database and by
/// the tracking server, as Airflow's API servers share `jwt_secret`. Tasks never see it: it is
/// in the database, which they cannot read. ``generate(lifetime:)`` makes one with a key of its own
/// (tests, `dags test`).
public struct TokenService: Sendable {
    /// How long a token is valid (Airflow: `jwt_expiration_time`, one day).
    public let lifetime: Duration
    private let source: KeySource

    /// The signing keys, loaded once from where they are kept.
    actor KeySource {
        private var keys: JWTKeyCollection?
        private let load: @Sendable () async throws -> Data

        init(keys: JWTKeyCollection?, load: @escaping @Sendable () async throws -> Data) {
            self.keys = keys
            self.load = load
        }

        func collection() async throws -> JWTKeyCollection {
            if let keys { return keys }
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(key: SymmetricKey(data: try await load())), digestAlgorithm: .sha256)
            keys = collection
            return collection
        }
    }

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

    /// A token service with a new random 512-bit signing key of its own.
    public static func generate(lifetime: Duration = .seconds(86_400)) async -> TokenService {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(size: .init(bitCount: 512))), digestAlgorithm: .sha256)
        return TokenService(lifetime: lifetime, source: KeySource(keys: keys) { Data() })
    }

    /// A token service signing with the key of `store`'s database, read when first needed (the
    /// database may not run yet).
    public static func shared(by store: OrchestratorStore, lifetime: Duration = .seconds(86_400)) -> TokenService {
        TokenService(lifetime: lifetime, source: KeySource(keys: nil) { try await store.signingKey() })
    }

    private init(lifetime: Duration, source: KeySource) {
        self.lifetime = lifetime
        self.source = source
    }

    /// The same signing key with another token lifetime.
    public func with(lifetime: Duration) -> TokenService {
        TokenService(lifetime: lifetime, source: source)
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
        return try await source.collection().sign(claims)
    }

    /// The subject of task tokens starts so; no username can (usernames hold no `:`).
    public static let taskSubjectPrefix = "task:"

    /// A token for one try of a task (`MLFLOW_TRACKING_TOKEN` in its environment): the tracking
    /// server lets it write runs, models and artifacts until it expires; the orchestrator's API
    /// refuses it (it names no user), so a task never holds a user's password or token.
    public func issueTaskToken(dagID: String, runID: String, taskID: String, lifetime: Duration, now: Date = Date()) async throws -> String {
        let claims = Claims(
            sub: .init(value: Self.taskSubjectPrefix + [dagID, runID, taskID].joined(separator: "/")),
            role: "task",
            ver: 0,
            iat: .init(value: now),
            nbf: .init(value: now.addingTimeInterval(-10)),
            exp: .init(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        )
        return try await source.collection().sign(claims)
    }

    /// What a token says, if it is genuine and current.
    public func verify(_ token: String) async -> Verified? {
        guard let keys = try? await source.collection(), let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        return Verified(username: claims.sub.value, role: claims.role, credentialsVersion: claims.ver)
    }
}
