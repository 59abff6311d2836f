import Foundation
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SQLite: one writer connection behind a ``WriteQueue`` (group commit), and a few reader
/// connections that WAL mode lets read while the writer writes.
final class SQLiteBackend: DatabaseBackend {
    /// Reader connections of a file database.
    static let readerCount = 4

    let flavor = SQLFlavor.sqlite
    private let writer: SQLiteConnection
    private let readers: ConnectionPool<SQLiteConnection>?
    private let queue = WriteQueue()
    private let logger: Logger
    private let closed = Atomic(false)
    /// The subscribers of ``notifications(on:)``: on SQLite, notifications stay in this process.
    private let hub = NotificationHub()

    private init(writer: SQLiteConnection, readers: ConnectionPool<SQLiteConnection>?, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Opens the writer and readers; a file database gets WAL mode and `synchronous=FULL`, so a
    /// commit survives a crash of the process or the machine.
    static func open(_ storage: SQLiteConnection.Storage, logger: Logger) async throws -> SQLiteBackend {
        if case .file(let path) = storage {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw DatabaseError("cannot create the folder of the SQLite database \(path): \(error.localizedDescription)")
            }
            // The database is readable by its owner only, also when an earlier version created it
            // with the default mode; SQLite gives new WAL and shared-memory files the database
            // file's mode, and older ones are set here too.
            let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw DatabaseError("cannot create the SQLite database \(path): \(String(cString: strerror(errno)))")
            }
            let problem = fchmod(descriptor, 0o600) == 0 ? nil : String(cString: strerror(errno))
            close(descriptor)
            if let problem { throw DatabaseError("cannot make the SQLite database \(path) private: \(problem)") }
            for suffix in ["-wal", "-shm"] { _ = chmod(path + suffix, 0o600) }
        }
        let writer: SQLiteConnection
        do {
            writer = try await SQLiteConnection.open(storage: storage, logger: logger)
        } catch {
            throw DatabaseError("cannot open the SQLite database: \(String(reflecting: error))")
        }
        let sql = writer.sql()
        try await configure(sql)
        guard case .file = storage else {
            // An in-memory database exists only on its one connection: reads share the writer.
            return SQLiteBackend(writer: writer, readers: nil, logger: logger)
        }
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA synchronous = FULL").run()
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: storage, logger: logger)
            try await configure(reader.sql())
            try await reader.sql().raw("PRAGMA query_only = ON").run()
            readers.append(reader)
        }
        return SQLiteBackend(writer: writer, readers: ConnectionPool(readers), logger: logger)
    }

    private static func configure(_ database: any SQLDatabase) async throws {
        try await database.raw("PRAGMA busy_timeout = 10000").run()
        try await database.raw("PRAGMA foreign_keys = ON").run()
        // Reads come from memory-mapped pages instead of a read(2) and a copy per page, and each
        // connection caches up to 16 MB of pages: searches touch many index pages.
        try await database.raw("PRAGMA mmap_size = 268435456").run()
        try await database.raw("PRAGMA cache_size = -16000").run()
    }

    func migrate(_ migrations: [Migration]) async throws {
        let database = writer.sql()
        try await Self.migrate(
            migrations,
            lock: { _ in },
            transaction: { body in
                try await database.transaction(begin: "BEGIN IMMEDIATE", body)
            }
        )
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let readers else {
            return try await queue.write(body)
        }
        return try await readers.withConnection { connection in
            try await connection.sql().transaction(begin: "BEGIN", body)
        }
    }

    func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await read(body)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await queue.write(body)
    }

    func notify(_ channel: String) async throws {
        hub.deliver(channel)
    }

    func notifications(on channel: String) -> AsyncStream<Void> {
        // Listening from now on, like PostgreSQL's first element once it listens.
        hub.subscribe(channel, told: true)
    }

    func run() async throws {
        defer { hub.finish() }
        let queue = queue
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await queue.run(on: writer.sql())
            } onGracefulShutdown: {
                queue.close()
            }
        } onCancel: {
            queue.close()
        }
        await closeConnections()
    }

    func closeUnstarted() async {
        queue.close()
        await closeConnections()
    }

    /// A database opened but never run still releases its connections.
    deinit {
        if !closed.load(ordering: .acquiring) {
            for connection in (readers?.all ?? []) + [writer] {
                _ = connection.close()
            }
        }
    }

    private func closeConnections() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for connection in (readers?.all ?? []) + [writer] {
            do {
                // The future-based close is not cancellation-aware: it closes even when the task
                // that runs the database is being cancelled.
                try await connection.close().get()
            } catch {
                logger.warning("Closing an SQLite connection failed: \(error)")
            }
        }
    }
}

extension SQLDatabase {
    /// Runs `body` between `begin` and `COMMIT`, rolling back if it throws.
    func transaction<T>(begin: SQLQueryString, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await raw(begin).run()
        do {
            let result = try await body(self)
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}
