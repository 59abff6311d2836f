import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

/// The SQL layer on every database it supports: migrations, group commit, isolation of failures.
@Suite("Database")
struct DatabaseTests {
    static let notes = Migration("test-001-notes") { database async throws in
        try await database.create(table: "notes")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("body", type: .text, .notNull)
            .run()
    }

    static let tags = Migration("test-002-tags") { database async throws in
        try await database.create(table: "tags").column("name", type: .text, .primaryKey(autoIncrement: false)).run()
    }

    static func count(_ database: Database, _ table: String) async throws -> Int {
        try await database.read { sql in
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func applied(_ database: Database) async throws -> [String] {
        try await database.read { sql in
            try await sql.select().column("name").from("flowline_migrations").orderBy("position").all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
    }

    @Test("Migrations are applied once, in order, and recorded", arguments: TestDatabaseKind.available)
    func migrations(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: [Self.notes, Self.tags]) { database async throws in
            #expect(try await Self.applied(database) == ["test-001-notes", "test-002-tags"])
            #expect(try await Self.count(database, "notes") == 0)
            #expect(try await Self.count(database, "tags") == 0)
        }
    }

    @Test("Reopening applies only the new migrations; an unknown applied one is refused", arguments: TestDatabaseKind.available)
    func reopen(kind: TestDatabaseKind) async throws {
        try await withTestDatabaseURL(kind) { url in
            let logger = TestLogger.silent
            try await withRunning(try await Database.open(url, migrations: [Self.notes], logger: logger)) { database in
                try await database.write { try await $0.insert(into: "notes").columns("id", "body").values(SQLBind(1), SQLBind("kept")).run() }
            }
            try await withRunning(try await Database.open(url, migrations: [Self.notes, Self.tags], logger: logger)) { database async throws in
                #expect(try await Self.applied(database) == ["test-001-notes", "test-002-tags"])
                #expect(try await Self.count(database, "notes") == 1)
            }
            let error = await #expect(throws: DatabaseError.self) {
                _ = try await Database.open(url, migrations: [Self.notes], logger: logger)
            }
            #expect(error?.description.contains("test-002-tags") == true)
        }
    }

    @Test("A failing migration changes nothing and says which", arguments: TestDatabaseKind.available)
    func failingMigration(kind: TestDatabaseKind) async throws {
        let broken = Migration("test-002-broken") { database in
            try await database.create(table: "half").column("id", type: .bigint).run()
            try await database.raw("THIS IS NOT SQL").run()
        }
        try await withTestDatabaseURL(kind) { url in
            let logger = TestLogger.silent
            try await withRunning(try await Database.open(url, migrations: [Self.notes], logger: logger)) { _ in }
            let error = await #expect(throws: DatabaseError.self) {
                _ = try await Database.open(url, migrations: [Self.notes, broken], logger: logger)
            }
            #expect(error?.description.contains("migrate") == true)
            try await withRunning(try await Database.open(url, migrations: [Self.notes], logger: logger)) { database async throws in
                #expect(try await Self.applied(database) == ["test-001-notes"])
                // The failed step's table was rolled back with it.
                await #expect(throws: (any Error).self) { _ = try await Self.count(database, "half") }
            }
        }
    }

    @Test("Hundreds of concurrent writes are all committed", arguments: TestDatabaseKind.available)
    func concurrentWrites(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: [Self.notes]) { database async throws in
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for id in 0..<400 {
                    group.addTask {
                        try await database.write { sql in
                            try await sql.insert(into: "notes").columns("id", "body").values(SQLBind(id), SQLBind("note \(id)")).run()
                            return id
                        }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(ids.count == 400)
            #expect(try await Self.count(database, "notes") == 400)
        }
    }

    @Test("A failing write among concurrent ones fails alone", arguments: TestDatabaseKind.available)
    func failureIsolation(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: [Self.notes]) { database async throws in
            try await database.write { try await $0.insert(into: "notes").columns("id", "body").values(SQLBind(0), SQLBind("first")).run() }
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for id in 0..<100 {
                    group.addTask {
                        do {
                            try await database.write { sql in
                                try await sql.insert(into: "notes").columns("id", "body").values(SQLBind(id + 1), SQLBind("ok")).run()
                                // Every tenth write also inserts a duplicate key and so must fail whole.
                                if id % 10 == 0 {
                                    try await sql.insert(into: "notes").columns("id", "body").values(SQLBind(0), SQLBind("dup")).run()
                                }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { !$0 }.count == 10)
            #expect(try await Self.count(database, "notes") == 91)
            let first = try await database.read { sql in
                try await sql.select().column("body").from("notes").where("id", .equal, SQLBind(0)).first()?.decode(column: "body", as: String.self)
            }
            #expect(first == "first")
        }
    }

    @Test("A write's result is returned and visible to later reads", arguments: TestDatabaseKind.available)
    func readAfterWrite(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: [Self.notes]) { database async throws in
            let written = try await database.write { sql -> String in
                try await sql.insert(into: "notes").columns("id", "body").values(SQLBind(7), SQLBind("seven")).run()
                return "done"
            }
            #expect(written == "done")
            let body = try await database.read { sql in
                try await sql.select().column("body").from("notes").where("id", .equal, SQLBind(7)).first()?.decode(column: "body", as: String.self)
            }
            #expect(body == "seven")
        }
    }

    @Test("SQLite files are in WAL mode with full synchronous commits")
    func sqliteDurability() async throws {
        try await withTestDatabase(.sqlite) { database async throws in
            let (mode, synchronous) = try await database.write { sql in
                let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
                let synchronous = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
                return (mode, synchronous)
            }
            #expect(mode == "wal")
            #expect(synchronous == 2)
        }
    }

    @Test("Writes after shutdown are refused with a clear error")
    func afterShutdown() async throws {
        try await withTestDatabaseURL(.sqlite) { url in
            let database = try await Database.open(url, logger: TestLogger.silent)
            try await withRunning(database) { _ in }
            let error = await #expect(throws: DatabaseError.self) {
                try await database.write { _ in }
            }
            #expect(error?.description.contains("shut down") == true)
        }
    }
}

@Suite("Database errors")
struct DatabaseErrorTests {
    @Test("An unreachable PostgreSQL server is a clear error after the timeout, not a hang")
    func unreachable() async throws {
        let url = try DatabaseURL("postgresql://nobody:secret@127.0.0.1:1/none")
        let started = ContinuousClock.now
        let error = await #expect(throws: DatabaseError.self) {
            _ = try await Database.open(url, logger: TestLogger.silent, connectTimeout: .seconds(2))
        }
        #expect(error?.description.contains("cannot reach") == true)
        #expect(error?.description.contains("secret") == false)
        // Generous: the suite runs its tests in parallel on few cores, and a hang never ends.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("An SQLite database an earlier version left readable by all is made private, with its WAL files")
    func existingDatabaseMadePrivate() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.url.appendingPathComponent("old.db").path
            try await withRunning(try await Database.open(.sqlite(path: path), logger: TestLogger.silent)) { database in
                try await database.write { sql in try await sql.raw("CREATE TABLE t (x INTEGER)").run() }
            }
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            }
            try await withRunning(try await Database.open(.sqlite(path: path), logger: TestLogger.silent)) { _ in }
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file)")
            }
        }
    }

    @Test("An SQLite path that cannot be created is a clear error")
    func unwritableSQLite() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.url.appendingPathComponent("file")
            try Data("x".utf8).write(to: file)
            let error = await #expect(throws: DatabaseError.self) {
                _ = try await Database.open(.sqlite(path: file.appendingPathComponent("db.sqlite").path), logger: TestLogger.silent)
            }
            #expect(error?.description.contains("SQLite") == true)
        }
    }
}

@Suite("Database transactions")
struct DatabaseTransactionTests {
    struct Refusal: Error, Equatable {}

    @Test("An error thrown inside a read or write comes back as it is", arguments: TestDatabaseKind.available)
    func errorsPassThrough(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { database in
            await #expect(throws: Refusal()) { try await database.write { _ in throw Refusal() } }
            await #expect(throws: Refusal()) { try await database.read { _ in throw Refusal() } }
        }
    }
}
