import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

/// `Database.notify` and `Database.notifications(on:)`: within a process on SQLite, across
/// processes (here: two `Database`s) on PostgreSQL, and again after the listener's connection drops.
@Suite("Notifications")
struct NotificationTests {
    /// A channel of this test alone (PostgreSQL's channels are per database, not per schema).
    static func channel() -> String {
        "test_" + String(UUID().uuidString.lowercased().filter(\.isLetter).prefix(20))
    }

    @Test("A notification reaches every subscriber of its channel; each stream first says it listens", arguments: TestDatabaseKind.available)
    func delivery(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { database async throws in
            let channel = Self.channel()
            let first = Subscription(try database.notifications(on: channel))
            let second = Subscription(try database.notifications(on: channel))
            try await first.next()
            try await second.next()
            try await database.notify(channel)
            try await first.next()
            try await second.next()
        }
    }

    @Test("Channel names are fixed identifiers: a-z and _, 1 to 63 characters", arguments: TestDatabaseKind.available)
    func channelNames(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { database async throws in
            for name in ["", "Flowline", "a-b", "drop table", "x;", String(repeating: "a", count: 64)] {
                await #expect(throws: DatabaseError.self) { try await database.notify(name) }
                #expect(throws: DatabaseError.self) { _ = try database.notifications(on: name) }
            }
            _ = try database.notifications(on: String(repeating: "a", count: 63))
        }
    }

    @Test("On PostgreSQL a notification crosses to another process's listener", arguments: TestDatabaseKind.available.filter { $0 == .postgresql })
    func acrossProcesses(kind: TestDatabaseKind) async throws {
        try await withTestDatabaseURL(kind) { url in
            try await withRunning(try await Database.open(url, logger: TestLogger.silent)) { listening in
                try await withRunning(try await Database.open(url, logger: TestLogger.silent)) { sending in
                    let channel = Self.channel()
                    let subscription = Subscription(try listening.notifications(on: channel))
                    try await subscription.next()
                    try await sending.notify(channel)
                    try await subscription.next()
                }
            }
        }
    }

    @Test(
        "On PostgreSQL the listener connects again after its connection is dropped, says so, and hears again",
        arguments: TestDatabaseKind.available.filter { $0 == .postgresql }
    )
    func reconnects(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind) { database async throws in
            let channel = Self.channel()
            let subscription = Subscription(try database.notifications(on: channel))
            try await subscription.next()
            // The server ends the listener's session, as a restart or a network failure would.
            let ended = try await database.write { sql in
                try await sql.raw(
                    """
                    SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
                    WHERE application_name = 'flowline-listener' AND query LIKE \(bind: "%\(channel)%")
                    """
                ).all().count
            }
            #expect(ended == 1)
            // Told once it listens again: what was sent meanwhile is lost.
            try await subscription.next()
            try await database.notify(channel)
            try await subscription.next()
        }
    }
}

/// One subscriber's stream, read one element at a time with a timeout that catches hangs.
final class Subscription: Sendable {
    private let stream: AsyncStream<Void>

    init(_ stream: AsyncStream<Void>) {
        self.stream = stream
    }

    /// Waits for the next element; throws when none comes within `timeout` or the stream ended.
    func next(timeout: Duration = .seconds(30)) async throws {
        let stream = stream
        let arrived = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestFailure("no notification within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        if !arrived { throw TestFailure("the notification stream ended") }
    }
}
