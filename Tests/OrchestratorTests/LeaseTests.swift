import Foundation
import OrchestratorDatabase
import Storage
import TestSupport
import Testing

/// Named leases with an expiry (the `scheduler` lease), on every database.
@Suite("Leases")
struct LeaseTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "A free lease is taken; while held, another is refused and the holder renews; once expired anyone takes it",
        arguments: TestDatabaseKind.available
    )
    func semantics(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store async throws in
            let t0 = Self.start
            #expect(try await store.lease("scheduler", now: t0) == nil)
            #expect(try await store.acquireLease("scheduler", holder: "a:8080", duration: .seconds(10), now: t0))
            #expect(try await store.lease("scheduler", now: t0) == Lease(name: "scheduler", holder: "a:8080", expiresAt: t0 + 10))
            // Held: refused to another, also just before it expires.
            #expect(try await store.acquireLease("scheduler", holder: "b:8080", duration: .seconds(10), now: t0 + 5) == false)
            #expect(try await store.acquireLease("scheduler", holder: "b:8080", duration: .seconds(10), now: t0 + 9.9) == false)
            // Renewed by its holder: it lasts from the renewal.
            #expect(try await store.acquireLease("scheduler", holder: "a:8080", duration: .seconds(10), now: t0 + 8))
            #expect(try await store.acquireLease("scheduler", holder: "b:8080", duration: .seconds(10), now: t0 + 17) == false)
            #expect(try await store.lease("scheduler", now: t0 + 17)?.holder == "a:8080")
            // Expired: free, and taken by another.
            #expect(try await store.lease("scheduler", now: t0 + 18) == nil)
            #expect(try await store.acquireLease("scheduler", holder: "b:8080", duration: .seconds(10), now: t0 + 18))
            #expect(try await store.acquireLease("scheduler", holder: "a:8080", duration: .seconds(10), now: t0 + 19) == false)
            // Other names are other leases.
            #expect(try await store.acquireLease("other", holder: "a:8080", duration: .seconds(10), now: t0 + 19))
        }
    }

    @Test("Only its holder releases a lease; released, it is free at once", arguments: TestDatabaseKind.available)
    func release(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store async throws in
            let t0 = Self.start
            #expect(try await store.acquireLease("scheduler", holder: "a", duration: .seconds(10), now: t0))
            try await store.releaseLease("scheduler", holder: "b")
            #expect(try await store.lease("scheduler", now: t0 + 1)?.holder == "a")
            try await store.releaseLease("scheduler", holder: "a")
            #expect(try await store.lease("scheduler", now: t0 + 1) == nil)
            #expect(try await store.acquireLease("scheduler", holder: "b", duration: .seconds(10), now: t0 + 1))
        }
    }

    @Test("Of many holders racing for a free lease, exactly one gets it", arguments: TestDatabaseKind.available)
    func race(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store async throws in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask { try await store.acquireLease("scheduler", holder: "server-\(index)", duration: .seconds(10), now: Self.start) }
                }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(winners == 1)
        }
    }

    @Test("Without a time given, leases go by the database's clock", arguments: TestDatabaseKind.available)
    func databaseClock(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store async throws in
            // Long enough to be read back on a loaded machine (the whole suite at once on two cores
            // once took over 3 s between these lines), short enough to wait out below.
            #expect(try await store.acquireLease("scheduler", holder: "a", duration: .seconds(8)))
            #expect(try await store.acquireLease("scheduler", holder: "b", duration: .seconds(8)) == false)
            let lease = try #require(try await store.lease("scheduler"))
            #expect(lease.holder == "a")
            #expect(abs(lease.expiresAt.timeIntervalSinceNow) < 60)
            try await eventually(timeout: .seconds(60)) { (try? await store.acquireLease("scheduler", holder: "b", duration: .seconds(10))) == true }
        }
    }
}
