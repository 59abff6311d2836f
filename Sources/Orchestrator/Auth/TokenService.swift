import Foundation
import JWTKit
#if canImport(Glibc)
import Glibc
#endif

/// Issues and checks login tokens: JWTs signed with HS256 by a key generated once and kept in the
/// data directory (`jwt-secret`, mode 0600), so tokens survive restarts.
public struct TokenService: Sendable {
    /// How long a token is valid (Airflow: `jwt_expiration_time`, one day).
    public let lifetime: Duration
    private let keys: JWTKeyCollection

    /// The claims of a Flowline token: Airflow's `sub` and `role`, plus the standard times.
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var role: String
        var iat: IssuedAtClaim
        var nbf: NotBeforeClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf.verifyNotBefore()
        }
    }

    /// Loads the signing key from `secretFile`, creating it (0600) when missing.
    public static func load(secretFile: URL, lifetime: Duration = .seconds(86_400)) async throws -> TokenService {
        let secret = try readOrCreateSecret(secretFile)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return TokenService(lifetime: lifetime, keys: keys)
    }

    private init(lifetime: Duration, keys: JWTKeyCollection) {
        self.lifetime = lifetime
        self.keys = keys
    }

    /// A token for `username` with `role`.
    public func issue(username: String, role: Role, now: Date = Date()) async throws -> String {
        let claims = Claims(
            sub: .init(value: username), role: role.rawValue, iat: .init(value: now), nbf: .init(value: now.addingTimeInterval(-10)),
            exp: .init(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        )
        return try await keys.sign(claims)
    }

    /// The user a token names, if the token is genuine and current.
    public func verify(_ token: String) async -> (username: String, role: String)? {
        guard let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        return (claims.sub.value, claims.role)
    }

    static func readOrCreateSecret(_ file: URL) throws -> String {
        if let text = try? String(contentsOf: file, encoding: .utf8), text.count >= 64 {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<64).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw OrchestratorError.invalid("cannot create the token signing key \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(secret.utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw OrchestratorError.invalid("cannot write the token signing key \(file.path)")
        }
        return secret
    }
}
