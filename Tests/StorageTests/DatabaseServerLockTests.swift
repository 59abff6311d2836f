import Foundation
import Storage
import TestSupport
import Testing

/// One server per SQLite database, whatever its data directory.
@Suite("Database server lock")
struct DatabaseServerLockTests {
    @Test("A second server on an SQLite file is refused, naming the file, the holder's pid and PostgreSQL; the lock is free once released")
    func sqliteRefusesSecondServer() throws {
        let directory = try TemporaryDirectory("flowline-server-lock")
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("nested/orchestrator.db").path
        var first = try DatabaseServerLock.take(for: .sqlite(path: path))
        #expect(first != nil)
        let error = #expect(throws: DatabaseError.self) { _ = try DatabaseServerLock.take(for: .sqlite(path: path)) }
        let message = error?.description ?? ""
        #expect(message.contains(path))
        #expect(message.contains("pid \(getpid())"))
        #expect(message.contains("--database postgresql://"))
        first = nil
        #expect(try DatabaseServerLock.take(for: .sqlite(path: path)) != nil)
        withExtendedLifetime(first) {}
    }

    @Test("PostgreSQL and in-memory databases take no server lock")
    func otherDatabases() throws {
        #expect(try DatabaseServerLock.take(for: .sqliteInMemory) == nil)
        #expect(try DatabaseServerLock.take(for: try DatabaseURL("postgresql://u@localhost/db")) == nil)
    }
}
