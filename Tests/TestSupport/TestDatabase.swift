import Foundation
import Logging
import SQLKit
public import Storage

/// The databases that storage-backed tests run on.
///
/// SQLite always; PostgreSQL when `FLOWLINE_TEST_POSTGRES_URL` names a server (`scripts/test.sh`
/// starts a private one). Under CI a missing PostgreSQL is a failure, never a silent skip.
public enum TestDatabaseKind: String, Sendable, CaseIterable {
    case sqlite
    case postgresql

    /// The kinds to run tests on here.
    public static var available: [TestDatabaseKind] {
        let environment = ProcessInfo.processInfo.environment
        if environment["FLOWLINE_TEST_POSTGRES_URL"] != nil || environment["CI"] != nil { return allCases }
        return [.sqlite]
    }
}

/// Runs `body` with the URL of a fresh, empty database of `kind`, deleted afterwards: an SQLite file
/// in a temporary folder, or a new schema of the test PostgreSQL server.
public func withTestDatabaseURL<T: Sendable>(_ kind: TestDatabaseKind, _ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = try TemporaryDirectory("flowline-db")
        defer { directory.remove() }
        return try await body(.sqlite(path: directory.url.appendingPathComponent("test.db").path))
    case .postgresql:
        guard let text = ProcessInfo.processInfo.environment["FLOWLINE_TEST_POSTGRES_URL"] else {
            throw TestFailure("FLOWLINE_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL")
        }
        guard case .postgresql(let location) = try DatabaseURL(text) else {
            throw TestFailure("FLOWLINE_TEST_POSTGRES_URL is not a PostgreSQL URL: \(text)")
        }
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var scoped = location
        scoped.searchPath = schema
        let admin = try await Database.open(.postgresql(location), logger: TestLogger.silent, connectTimeout: testConnectTimeout)
        return try await withRunning(admin) { [scoped] admin in
            try await admin.write { try await $0.raw("CREATE SCHEMA \(ident: schema)").run() }
            do {
                let result = try await body(.postgresql(scoped))
                try await admin.write { try await $0.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                return result
            } catch {
                try? await admin.write { try await $0.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                throw error
            }
        }
    }
}

/// How long a test waits for PostgreSQL to connect and migrate: generous, since the suites run in
/// parallel on small machines and migrations of many schemas queue up behind each other.
let testConnectTimeout: Duration = .seconds(120)

/// Opens a fresh, empty database of `kind` with `migrations`, runs it while `body` uses it, then
/// deletes it.
public func withTestDatabase<T: Sendable>(
    _ kind: TestDatabaseKind,
    migrations: [Migration] = [],
    _ body: @Sendable (Database) async throws -> T
) async throws -> T {
    try await withTestDatabaseURL(kind) { url in
        try await withRunning(
            try await Database.open(url, migrations: migrations, logger: TestLogger.silent, connectTimeout: testConnectTimeout),
            body
        )
    }
}

/// Runs `database` while `body` uses it, then stops it.
public func withRunning<T: Sendable>(_ database: Database, _ body: @Sendable (Database) async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await database.run() }
        do {
            let result = try await body(database)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
