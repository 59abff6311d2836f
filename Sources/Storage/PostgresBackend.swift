import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL: a pooled client; each read and each write is its own transaction, and several
/// Flowline processes on several machines can share the database.
final class PostgresBackend: DatabaseBackend {
    /// The advisory lock that keeps concurrently starting processes from migrating the same schema
    /// at once (with the schema's hash as its second key: databases in other schemas of the same
    /// server migrate in parallel).
    static let migrationLockKey = 7_243_910

    let flavor = SQLFlavor.postgresql
    private let configuration: PostgresClient.Configuration
    private let client: PostgresClient
    private let location: DatabaseURL.PostgreSQLLocation
    private let logger: Logger
    /// How long opening waits for the server before giving up.
    private let connectTimeout: Duration
    /// `LISTEN` on a connection of its own, for ``notifications(on:)``.
    private let listener: PostgresListener

    init(_ location: DatabaseURL.PostgreSQLLocation, connectTimeout: Duration, logger: Logger) {
        self.connectTimeout = connectTimeout
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host,
            port: location.port,
            username: location.username,
            password: location.password,
            database: location.database,
            tls: tls
        )
        if let searchPath = location.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        self.configuration = configuration
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = location
        self.logger = logger
        listener = PostgresListener(location, logger: logger)
    }

    func migrate(_ migrations: [Migration]) async throws {
        let temporary = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let logger = logger
        let url = DatabaseURL.postgresql(location)
        let timeout = connectTimeout
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await temporary.run()
                return false
            }
            group.addTask {
                try await Self.migrate(
                    migrations,
                    lock: { database in
                        try await database.raw("SELECT pg_advisory_xact_lock(\(literal: Self.migrationLockKey), hashtext(current_schema()))").run()
                    }
                ) { body in
                    do {
                        return try await temporary.withTransaction(logger: logger) { connection in
                            try await body(connection.sql())
                        }
                    } catch let error as PostgresTransactionError {
                        throw error.closureError ?? error
                    }
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw DatabaseError(
                    "cannot reach and migrate \(url) within \(timeout): is the server running, and are the host, port, user and password right?"
                )
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if finished { return }
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let client = client
        return try await abandoningOnCancel {
            try await client.withConnection { connection in try await body(connection.sql()) }
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    /// Runs `body` in a transaction on a pooled connection; an error `body` throws is rethrown as
    /// it is (PostgresNIO wraps it), so callers see their own errors on both databases.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let client = client
        let logger = logger
        do {
            return try await abandoningOnCancel {
                try await client.withTransaction(logger: logger) { connection in
                    try await body(connection.sql())
                }
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    func externalChangeCounter() async throws -> Int? { nil }

    func notify(_ channel: String) async throws {
        try await transaction { sql in
            try await sql.raw("SELECT pg_notify(\(bind: channel), '')").run()
        }
    }

    func notifications(on channel: String) -> AsyncStream<Void> {
        listener.subscribe(channel)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await self.listener.run()
                    self.logger.trace("PostgreSQL: the notification listener ended")
                }
                await self.client.run()
                self.logger.trace("PostgreSQL: the connection pool ended")
                group.cancelAll()
            }
        }
    }

    func closeUnstarted() async {}
}
