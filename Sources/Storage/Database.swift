public import Logging
public import SQLKit
public import ServiceLifecycle

/// Which SQL dialect a database speaks, for the few statements that differ between them.
public enum SQLFlavor: Sendable {
    case sqlite
    case postgresql
}

/// Flowline's one SQL layer: an SQLite file (the embedded default) or a PostgreSQL server (to scale
/// out), with the same SQLKit interface for both.
///
/// Writes are durable when `write` returns: on SQLite the file is in WAL mode with
/// `synchronous=FULL`, and concurrent writes are *group-committed*: the single writer runs every
/// write waiting at that moment in one transaction and pays one fsync for all of them (when one of
/// them throws, the batch is redone one write per transaction, so the failure stays with its
/// write). On PostgreSQL each write is its own transaction on a pooled connection. Reads run in a
/// read transaction on their own connections.
///
/// A `Database` is a `Service`: run it (in the same `ServiceGroup` as, and before, the services
/// that use it) for reads and writes to proceed; on graceful shutdown it finishes the writes already
/// submitted, then closes its connections.
public final class Database: Service, Sendable {
    /// Where the database lives.
    public let url: DatabaseURL
    let backend: any DatabaseBackend

    private init(url: DatabaseURL, backend: any DatabaseBackend) {
        self.url = url
        self.backend = backend
    }

    /// The dialect of this database.
    public var flavor: SQLFlavor { backend.flavor }

    /// Opens the database at `url`, creating an SQLite file (and its folder) when missing, and
    /// applies the `migrations` it lacks before returning.
    /// - Parameter connectTimeout: how long to wait for a PostgreSQL server to answer.
    /// - Throws: ``DatabaseError`` when the database cannot be reached or migrated.
    public static func open(
        _ url: DatabaseURL,
        migrations: [Migration] = [],
        logger: Logger,
        connectTimeout: Duration = .seconds(20)
    ) async throws -> Database {
        let backend: any DatabaseBackend
        switch url {
        case .sqlite(let path):
            backend = try await SQLiteBackend.open(path: path, logger: logger)
        case .sqliteInMemory:
            backend = try await SQLiteBackend.open(path: nil, logger: logger)
        case .postgresql(let location):
            backend = PostgresBackend(location, connectTimeout: connectTimeout, logger: logger)
        }
        do {
            try await backend.migrate(migrations)
        } catch let error as DatabaseError {
            await backend.closeUnstarted()
            throw error
        } catch {
            await backend.closeUnstarted()
            throw DatabaseError("cannot migrate the database \(url): \(String(reflecting: error))")
        }
        return Database(url: url, backend: backend)
    }

    /// Runs `body` in a read transaction and returns its result.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await backend.read(body)
    }

    /// Runs `body`, a read of one statement, and returns its result: on PostgreSQL without
    /// `BEGIN`/`COMMIT` round trips (a statement sees one snapshot by itself), on SQLite as
    /// ``read(_:)``. For the hot paths; a read of several statements that must agree uses ``read(_:)``.
    public func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await backend.readStatement(body)
    }

    /// Runs `body` in a write transaction and returns its result once the transaction is durable.
    /// If `body` throws, nothing it wrote is kept and the error is rethrown.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await backend.write(body)
    }

    /// A number that changes whenever another process commits to the database, and only then
    /// (SQLite's `data_version` of the writer connection); `nil` where the engine cannot tell
    /// (PostgreSQL, whose servers tell each other with notifications). Cheap: no transaction, no I/O
    /// beyond a shared-memory read. Lets a loop that polls for other processes' writes skip the
    /// reads when nothing changed.
    public func externalChangeCounter() async throws -> Int? {
        try await backend.externalChangeCounter()
    }

    /// Serves reads and writes until cancelled or asked to shut down gracefully.
    public func run() async throws {
        try await backend.run()
    }
}

/// What a database engine provides to ``Database``.
protocol DatabaseBackend: Sendable {
    var flavor: SQLFlavor { get }
    func migrate(_ migrations: [Migration]) async throws
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// A read of one statement (no transaction where the engine needs none for it).
    func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// See ``Database/externalChangeCounter()``.
    func externalChangeCounter() async throws -> Int?
    func run() async throws
    /// Sends a notification on `channel` (a valid name).
    func notify(_ channel: String) async throws
    /// The notifications on `channel` (a valid name), the first once listening.
    func notifications(on channel: String) -> AsyncStream<Void>
    /// Releases connections of a backend whose `run` never started (a failed open).
    func closeUnstarted() async
}

extension DatabaseBackend {
    /// Applies the pending `migrations` one transaction each, using `transaction` to run them.
    /// `lock` runs first in each transaction, to keep concurrent starters apart.
    static func migrate(
        _ migrations: [Migration],
        lock: @escaping @Sendable (any SQLDatabase) async throws -> Void,
        transaction: (@escaping @Sendable (any SQLDatabase) async throws -> Bool) async throws -> Bool
    ) async throws {
        while true {
            let appliedOne = try await transaction { database in
                try await lock(database)
                let pending = try await Migrator.pending(migrations, in: database)
                guard let next = pending.first else { return false }
                try await next.apply(database)
                try await Migrator.record(next, position: migrations.count - pending.count, in: database)
                return true
            }
            if !appliedOne { return }
        }
    }
}
