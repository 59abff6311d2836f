public import Foundation
import SQLKit
import Storage

/// A named lease as stored: who holds it and until when.
public struct Lease: Sendable, Equatable {
    public var name: String
    public var holder: String
    public var expiresAt: Date

    public init(name: String, holder: String, expiresAt: Date) {
        self.name = name
        self.holder = holder
        self.expiresAt = expiresAt
    }
}

/// Named leases with an expiry, so that one of several processes sharing the database does a job
/// (the `scheduler` lease: which server schedules). A holder keeps its lease by renewing it before
/// it expires; a lease not renewed in time is free for anyone.
///
/// Time: with `now` left out, leases are reckoned by the database's clock on PostgreSQL (the
/// servers' clocks need not agree) and by this process's clock on SQLite (one machine).
extension OrchestratorStore {
    /// Takes the lease `name` for `holder` until `duration` from now, when it is free, expired or
    /// already `holder`'s (then this renews it): one conditional statement, so of two holders
    /// racing for a free lease exactly one gets it.
    /// - Parameters:
    ///   - duration: how long the lease lasts from now without a renewal.
    ///   - now: the time to reckon with (tests); `nil`: the database's clock.
    /// - Returns: whether `holder` holds the lease now.
    public func acquireLease(_ name: String, holder: String, duration: Duration, now: Date? = nil) async throws -> Bool {
        let length = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let clock = leaseClock(now)
        let row = try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO leases (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(unsafeRaw: clock) + \(bind: length))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leases.holder = excluded.holder OR leases.expires_at <= \(unsafeRaw: clock)
                RETURNING holder
                """
            ).first()
        }
        return row != nil
    }

    /// Gives the lease `name` up, if `holder` holds it (expired or not); anyone may take it then.
    public func releaseLease(_ name: String, holder: String) async throws {
        try await database.write { sql in
            try await sql.delete(from: "leases").where("name", .equal, SQLBind(name)).where("holder", .equal, SQLBind(holder)).run()
        }
    }

    /// The lease `name` while it is held (not expired); `nil` when it is free.
    /// - Parameter now: the time to reckon with (tests); `nil`: the database's clock.
    public func lease(_ name: String, now: Date? = nil) async throws -> Lease? {
        let clock = leaseClock(now)
        let row = try await database.read { sql in
            try await sql.raw("SELECT holder, expires_at FROM leases WHERE name = \(bind: name) AND expires_at > \(unsafeRaw: clock)").first()
        }
        guard let row else { return nil }
        return Lease(name: name, holder: try row.string("holder"), expiresAt: Date(microseconds: try row.int64("expires_at")))
    }

    /// The SQL of "now" in microseconds: a literal of `now`, else the database's own clock on
    /// PostgreSQL (the transaction's start) and this process's on SQLite.
    private func leaseClock(_ now: Date?) -> String {
        if let now { return String(now.microseconds) }
        switch database.flavor {
        case .postgresql: return "CAST(EXTRACT(EPOCH FROM now()) * 1000000 AS BIGINT)"
        case .sqlite: return String(Date().microseconds)
        }
    }
}
