public import Foundation
import SQLKit
import Storage
import Workflow

extension OrchestratorStore {
    public func users() async throws -> [User] {
        try await database.read { sql in
            try await sql.select().columns("username", "role", "created_at", "credentials_version").from("users").orderBy("username").all().map(
                Self.user
            )
        }
    }

    /// The user `username`, or `nil` when there is none (a database failure still throws).
    public func existingUser(_ username: String) async throws -> User? {
        do {
            return try await user(username)
        } catch OrchestratorError.notFound {
            return nil
        }
    }

    public func user(_ username: String) async throws -> User {
        try await database.read { sql in
            guard
                let row = try await sql.select().columns("username", "role", "created_at", "credentials_version").from("users").where(
                    "username",
                    .equal,
                    SQLBind(username)
                ).first()
            else {
                throw OrchestratorError.notFound("The user `\(username)` was not found")
            }
            return try Self.user(row)
        }
    }

    /// Creates a user. - Throws: ``OrchestratorError/conflict(_:)`` when the name is taken.
    public func createUser(_ username: String, password: String, role: Role, now: Date = Date()) async throws -> User {
        try Self.checkUsername(username)
        try Self.checkPassword(password)
        let hash = try await passwords.hash(password)
        return try await database.write { sql in
            if try await sql.select().column("username").from("users").where("username", .equal, SQLBind(username)).first() != nil {
                throw OrchestratorError.conflict("The user `\(username)` already exists")
            }
            try await sql.insert(into: "users").columns("username", "password_hash", "role", "created_at")
                .values(SQLBind(username), SQLBind(hash), SQLBind(role.rawValue), SQLBind(now.microseconds)).run()
            return User(username: username, role: role, createdAt: now.timeIntervalSince1970)
        }
    }

    /// Sets a user's password and ends everything the old one opened: their web UI sessions and
    /// the API tokens issued before (their credentials version moves on).
    public func setPassword(_ username: String, password: String) async throws {
        try Self.checkPassword(password)
        let hash = try await passwords.hash(password)
        try await database.write { sql in
            let changed = try await sql.update("users")
                .set("password_hash", to: SQLBind(hash))
                .set("credentials_version", to: SQLRaw("credentials_version + 1"))
                .where("username", .equal, SQLBind(username)).returning("username").all()
            guard !changed.isEmpty else { throw OrchestratorError.notFound("The user `\(username)` was not found") }
            try await sql.delete(from: "ui_sessions").where("username", .equal, SQLBind(username)).run()
        }
    }

    /// Deletes a user; the last admin cannot be deleted.
    public func deleteUser(_ username: String) async throws {
        try await database.write { sql in
            guard let row = try await sql.select().column("role").from("users").where("username", .equal, SQLBind(username)).first() else {
                throw OrchestratorError.notFound("The user `\(username)` was not found")
            }
            if try row.string("role") == Role.admin.rawValue {
                let admins = try await sql.select().column("username").from("users").where("role", .equal, SQLBind(Role.admin.rawValue)).all()
                guard admins.count > 1 else { throw OrchestratorError.conflict("`\(username)` is the last admin; create another admin first") }
            }
            try await sql.delete(from: "users").where("username", .equal, SQLBind(username)).run()
            try await sql.delete(from: "ui_sessions").where("username", .equal, SQLBind(username)).run()
        }
    }

    /// Logs `username` in from `address` with `password`: the one way the REST API and the web UI
    /// check credentials, so both count against one ``LoginThrottle``.
    /// - Throws: ``AuthError/throttled(retryAfter:)`` after too many failures,
    ///   ``AuthError/invalidCredentials``, ``AuthError/busy`` when too many logins wait for bcrypt.
    public func login(_ username: String, password: String, address: String) async throws -> User {
        if let wait = await throttle.waitTime(username: username, address: address) {
            throw AuthError.throttled(retryAfter: Int(wait.rounded(.up)))
        }
        guard let user = try await authenticate(username, password: password) else {
            await throttle.failed(username: username, address: address)
            throw AuthError.invalidCredentials
        }
        await throttle.succeeded(username: username)
        return user
    }

    /// The user, if `password` is theirs. Takes as long for unknown users as for known ones.
    public func authenticate(_ username: String, password: String) async throws -> User? {
        let row = try await database.read { sql in
            try await sql.select().columns("username", "role", "created_at", "credentials_version", "password_hash").from("users").where(
                "username",
                .equal,
                SQLBind(username)
            ).first()
        }
        guard let row else {
            try await passwords.verifyUnknownUser(password)
            return nil
        }
        guard try await passwords.verify(password, hash: try row.string("password_hash")) else { return nil }
        return try Self.user(row)
    }

    /// Creates the first admin on a database without users.
    /// - Returns: whether it was created.
    @discardableResult
    public func ensureAdmin(username: String, password: String) async throws -> Bool {
        guard try await users().isEmpty else { return false }
        do {
            _ = try await createUser(username, password: password, role: .admin)
            return true
        } catch OrchestratorError.conflict {
            return false
        }
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            username: try row.string("username"),
            role: Role(name: try row.string("role")) ?? .viewer,
            createdAt: Double(try row.int64("created_at")) / 1_000_000,
            credentialsVersion: try row.int64("credentials_version")
        )
    }

    static func checkUsername(_ username: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_.@-"))
        guard !username.isEmpty, username.count <= 64, username.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            throw OrchestratorError.invalid("a username is 1 to 64 letters, digits, '_', '.', '@' or '-'")
        }
    }

    static func checkPassword(_ password: String) throws {
        guard password.utf8.count >= 3, password.utf8.count <= 72 else {
            throw OrchestratorError.invalid("a password is 3 to 72 bytes long")
        }
    }
}
