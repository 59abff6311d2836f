import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SQLite: one writer connection behind a ``WriteQueue`` (group commit), and a few reader
/// connections that WAL mode lets read while the writer writes.
///
/// Statements are called directly, not through a thread pool: the writer's transactions run on a
/// thread of their own and reads on a few reader threads (``DedicatedThreads``), so a transaction
/// of many statements costs one hop onto its thread, not one per statement, and prepared
/// statements are kept per connection.
final class SQLiteBackend: DatabaseBackend {
    /// Reader connections (and threads) of a file database.
    static let readerCount = 4

    let flavor = SQLFlavor.sqlite
    private let writer: SQLiteSession
    private let readers: ConnectionPool<SQLiteSession>?
    private let writerThread: DedicatedThreads
    private let readerThreads: DedicatedThreads?
    private let queue = WriteQueue()
    private let closed = Atomic(false)
    /// The subscribers of ``notifications(on:)``: on SQLite, notifications stay in this process.
    private let hub = NotificationHub()

    private init(writer: SQLiteSession, readers: [SQLiteSession]?) {
        self.writer = writer
        self.readers = readers.map(ConnectionPool.init)
        writerThread = DedicatedThreads(count: 1, name: "sqlite-writer")
        readerThreads = readers.map { DedicatedThreads(count: $0.count, name: "sqlite-reader") }
    }

    /// Opens the writer and readers: the file (`nil`: a private in-memory database) gets WAL mode
    /// and `synchronous=FULL`, so a commit survives a crash of the process or the machine.
    static func open(path: String?, logger: Logger) async throws -> SQLiteBackend {
        if let path { try createPrivately(path) }
        let writer = SQLiteSession(handle: try SQLiteHandle(path: path), logger: logger)
        do {
            try configure(writer)
            guard path != nil else {
                // An in-memory database exists only on its one connection: reads share the writer.
                return SQLiteBackend(writer: writer, readers: nil)
            }
            try writer.run("PRAGMA journal_mode = WAL")
            try writer.run("PRAGMA synchronous = FULL")
        } catch {
            writer.handle.close()
            throw error
        }
        var readers: [SQLiteSession] = []
        do {
            for _ in 0..<readerCount {
                let reader = SQLiteSession(handle: try SQLiteHandle(path: path), logger: logger)
                readers.append(reader)
                try configure(reader)
                try reader.run("PRAGMA query_only = ON")
            }
        } catch {
            for session in readers + [writer] { session.handle.close() }
            throw error
        }
        return SQLiteBackend(writer: writer, readers: readers)
    }

    /// Creates the database file (and its folder) readable by its owner only, also when an earlier
    /// version created it with the default mode; SQLite gives new WAL and shared-memory files the
    /// database file's mode, and older ones are set here too.
    private static func createPrivately(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DatabaseError("cannot create the folder of the SQLite database \(path): \(error.localizedDescription)")
        }
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DatabaseError("cannot create the SQLite database \(path): \(String(cString: strerror(errno)))")
        }
        let problem = fchmod(descriptor, 0o600) == 0 ? nil : String(cString: strerror(errno))
        close(descriptor)
        if let problem { throw DatabaseError("cannot make the SQLite database \(path) private: \(problem)") }
        for suffix in ["-wal", "-shm"] { _ = chmod(path + suffix, 0o600) }
    }

    private static func configure(_ session: SQLiteSession) throws {
        try session.run("PRAGMA busy_timeout = 10000")
        try session.run("PRAGMA foreign_keys = ON")
        // Reads come from memory-mapped pages instead of a read(2) and a copy per page, and each
        // connection caches up to 16 MB of pages: searches touch many index pages.
        try session.run("PRAGMA mmap_size = 268435456")
        try session.run("PRAGMA cache_size = -16000")
    }

    func migrate(_ migrations: [Migration]) async throws {
        let database = writer
        try await withTaskExecutorPreference(writerThread) {
            try await Self.migrate(
                migrations,
                lock: { _ in },
                transaction: { body in
                    try await database.transaction(begin: "BEGIN IMMEDIATE", body)
                }
            )
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let readers, let readerThreads else {
            return try await queue.write(body)
        }
        return try await withTaskExecutorPreference(readerThreads) {
            try await readers.withConnection { session in
                try await session.transaction(begin: "BEGIN", body)
            }
        }
    }

    func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await read(body)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await queue.write(body)
    }

    func externalChangeCounter() async throws -> Int? {
        var version: Int?
        // The writer's own commits leave its data_version alone; another process's change it.
        try writer.handle.execute("PRAGMA data_version", []) { row in
            version = try row.decode(column: "data_version", as: Int.self)
        }
        return version
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
        let writer = writer
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskExecutorPreference(writerThread) {
                    await queue.run(on: writer)
                }
            } onGracefulShutdown: {
                queue.close()
            }
        } onCancel: {
            queue.close()
        }
        closeConnections()
    }

    func closeUnstarted() async {
        queue.close()
        closeConnections()
    }

    /// A database opened but never run still releases its connections and threads.
    deinit {
        closeConnections()
    }

    private func closeConnections() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for session in (readers?.all ?? []) + [writer] {
            session.handle.close()
        }
        writerThread.shutdown()
        readerThreads?.shutdown()
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
