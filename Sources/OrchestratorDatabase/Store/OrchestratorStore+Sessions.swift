import Crypto
public import Foundation
import SQLKit
import Storage

/// A web UI login: who, the token its forms must carry, and until when it is valid.
public struct UISession: Sendable, Equatable {
    public var id: String
    public var username: String
    public var csrfToken: String
    public var expiresAt: Date
}

extension OrchestratorStore {
    /// How long a login lasts without use.
    public static let sessionLifetime: TimeInterval = 7 * 24 * 3600

    /// Starts a session for `username` (already authenticated); expired sessions are removed.
    public func createSession(for username: String, now: Date = Date()) async throws -> UISession {
        let session = UISession(
            id: Self.randomToken(),
            username: username,
            csrfToken: Self.randomToken(),
            expiresAt: now.addingTimeInterval(Self.sessionLifetime)
        )
        try await database.write { sql in
            try await sql.delete(from: "ui_sessions").where("expires_at", .lessThan, SQLBind(now.microseconds)).run()
            try await sql.insert(into: "ui_sessions").columns("id", "username", "csrf_token", "created_at", "expires_at")
                .values(
                    SQLBind(Self.sessionKey(session.id)),
                    SQLBind(username),
                    SQLBind(session.csrfToken),
                    SQLBind(now.microseconds),
                    SQLBind(session.expiresAt.microseconds)
                ).run()
        }
        return session
    }

    /// The live session with `id`, with its user's current role; `nil` when unknown, expired, or
    /// its user is gone.
    public func session(_ id: String, now: Date = Date()) async throws -> (session: UISession, user: User)? {
        guard id.count == 64, id.allSatisfy(\.isHexDigit) else { return nil }
        let row = try await database.read { sql in
            try await sql.select().columns("username", "csrf_token", "expires_at").from("ui_sessions").where(
                "id",
                .equal,
                SQLBind(Self.sessionKey(id))
            ).first()
        }
        guard let row else { return nil }
        let session = UISession(
            id: id,
            username: try row.string("username"),
            csrfToken: try row.string("csrf_token"),
            expiresAt: Date(microseconds: try row.int64("expires_at"))
        )
        guard session.expiresAt > now, let user = try await existingUser(session.username) else { return nil }
        return (session, user)
    }

    /// Ends a session (logout).
    public func deleteSession(_ id: String) async throws {
        try await database.write { sql in
            try await sql.delete(from: "ui_sessions").where("id", .equal, SQLBind(Self.sessionKey(id))).run()
        }
    }

    /// How a session id is stored: its SHA-256 as hex. The cookie holds the id itself.
    static func sessionKey(_ id: String) -> String {
        SHA256.hash(data: Data(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 32 random bytes as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }
}
