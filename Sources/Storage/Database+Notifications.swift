/// Notifications between the processes that share a database: PostgreSQL's `NOTIFY`/`LISTEN`, or
/// within this process on SQLite (whose database has one server).
///
/// A notification carries no payload and means "look again": several may arrive as one, a
/// subscriber may be told when nothing was sent (its first element, after a reconnection), and a
/// notification can be lost (a connection pooler that drops them, a listener reconnecting), so a
/// subscriber keeps a slower poll as a fall-back.
extension Database {
    /// Sends a notification on `channel` to every subscriber, in this and (on PostgreSQL) every
    /// other process using the database.
    /// - Parameter channel: a fixed name chosen by code: 1 to 63 characters `a`–`z` and `_`.
    /// - Throws: ``DatabaseError`` for an invalid channel name or when the database fails.
    public func notify(_ channel: String) async throws {
        try Self.checkChannel(channel)
        try await backend.notify(channel)
    }

    /// The notifications on `channel`, for as long as the stream is kept and the database runs.
    ///
    /// The first element comes once the subscription listens (on PostgreSQL, once the listener
    /// connection has run `LISTEN`), and one more after every reconnection of that connection,
    /// since what was sent while it was down is lost: each element means "look again".
    /// - Parameter channel: a fixed name chosen by code: 1 to 63 characters `a`–`z` and `_`.
    /// - Throws: ``DatabaseError`` for an invalid channel name.
    public func notifications(on channel: String) throws -> AsyncStream<Void> {
        try Self.checkChannel(channel)
        return backend.notifications(on: channel)
    }

    /// Channel names are identifiers the code chooses, never user input; checked anyway.
    static func checkChannel(_ channel: String) throws(DatabaseError) {
        guard (1...63).contains(channel.utf8.count),
            channel.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) })
        else {
            throw DatabaseError("'\(channel)' is not a notification channel name: use 1 to 63 characters a-z and _")
        }
    }
}
