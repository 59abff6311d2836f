import Foundation
public import SQLKit

/// One named, append-only step of a schema's history.
///
/// Each domain owns its migrations (`Tracking` its tables, `Orchestration` its own) and passes them
/// to ``Database/open(_:migrations:logger:)``. Names are recorded in `flowline_migrations` once
/// applied; a migration is never edited or removed after it has shipped, only followed by new ones.
public struct Migration: Sendable {
    /// Unique, stable name, conventionally `domain-NNN-what` (e.g. `tracking-001-experiments`).
    public let name: String
    /// Applies the step inside a transaction; use SQLKit's builders or dialect checks so that the
    /// same step runs on SQLite and PostgreSQL.
    public let apply: @Sendable (any SQLDatabase) async throws -> Void

    public init(_ name: String, apply: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        self.name = name
        self.apply = apply
    }

    /// A step made of SQL statements that read the same on SQLite and PostgreSQL, run in order.
    public init(_ name: String, statements: [String]) {
        self.init(name) { database in
            for statement in statements {
                try await database.raw(SQLQueryString(statement)).run()
            }
        }
    }
}

/// Applies migrations in order, each in its own transaction, recording what was applied.
enum Migrator {
    static let table = "flowline_migrations"

    /// The migrations of `migrations` that `database` lacks, after checking that what it has applied
    /// is a prefix of `migrations` (a database migrated by a newer Flowline is refused, not damaged).
    static func pending(_ migrations: [Migration], in database: any SQLDatabase) async throws -> [Migration] {
        try await database.create(table: table)
            .ifNotExists()
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("applied_at", type: .bigint, .notNull)
            .column("position", type: .bigint, .notNull)
            .run()
        let known = migrations.map(\.name)
        // Several domains may share a database (tracking and orchestrator on one PostgreSQL): each
        // list is checked against the applied migrations of its own domains only.
        let domains = Set(known.map(domain(of:)))
        let applied = try await database.select()
            .column("name")
            .from(table)
            .orderBy("position")
            .all()
            .map { try $0.decode(column: "name", as: String.self) }
            .filter { domains.contains(domain(of: $0)) }
        guard Set(known).count == known.count else {
            throw DatabaseError("two migrations share a name: \(known)")
        }
        for (position, name) in applied.enumerated() where position >= known.count || known[position] != name {
            throw DatabaseError(
                "the database has migration '\(name)' that this Flowline does not know; it was made by a newer version, use that version or another database"
            )
        }
        return Array(migrations.dropFirst(applied.count))
    }

    /// `tracking` for `tracking-001-experiments`.
    static func domain(of name: String) -> Substring {
        name.prefix { $0 != "-" }
    }

    /// Records that `migration` is applied, as part of the transaction that applied it.
    static func record(_ migration: Migration, position: Int, in database: any SQLDatabase) async throws {
        try await database.insert(into: table)
            .columns("name", "applied_at", "position")
            .values(SQLBind(migration.name), SQLBind(Int64(Date.now.timeIntervalSince1970 * 1000)), SQLBind(position))
            .run()
    }
}
