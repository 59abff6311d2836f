import SQLKit
import Synchronization

/// Group commit for a single writer connection: writes submitted while a transaction commits wait,
/// and the next transaction runs them all, one savepoint each, with one commit (one fsync).
///
/// A write's result is delivered only after the commit that made it durable; a write that throws is
/// rolled back to its savepoint and fails alone.
final class WriteQueue: Sendable {
    /// The most writes one transaction takes.
    static let maximumBatch = 512

    struct Job: Sendable {
        /// Runs the write; returns the thunk that delivers its result once committed.
        var perform: @Sendable (any SQLDatabase) async throws -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Submits `body` and waits until it is committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                perform: { database in
                    let value = try await body(database)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.pending.append(job)
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: DatabaseError("the database is shut down; the write was not made"))
            }
        }
    }

    /// Commits submitted writes on `database` until ``close()``, then commits what is left.
    func run(on database: any SQLDatabase) async {
        for await _ in wakeups {
            await drain(on: database)
        }
        await drain(on: database)
    }

    /// Stops accepting writes; ``run(on:)`` returns once the submitted ones are committed.
    func close() {
        state.withLock { $0.closed = true }
        wake.finish()
    }

    private func drain(on database: any SQLDatabase) async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let taken = Array(state.pending.prefix(Self.maximumBatch))
                state.pending.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            await commit(batch, on: database)
        }
    }

    private func commit(_ batch: [Job], on database: any SQLDatabase) async {
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
        } catch {
            batch.forEach { $0.fail(error) }
            return
        }
        var succeeded: [(deliver: @Sendable () -> Void, fail: @Sendable (any Error) -> Void)] = []
        let isolated = batch.count > 1
        for job in batch {
            do {
                if isolated { try await database.raw("SAVEPOINT flowline_write").run() }
                let deliver = try await job.perform(database)
                if isolated { try await database.raw("RELEASE flowline_write").run() }
                succeeded.append((deliver, job.fail))
            } catch {
                if isolated {
                    try? await database.raw("ROLLBACK TO flowline_write").run()
                    try? await database.raw("RELEASE flowline_write").run()
                    job.fail(error)
                } else {
                    try? await database.raw("ROLLBACK").run()
                    job.fail(error)
                    return
                }
            }
        }
        do {
            try await database.raw("COMMIT").run()
            succeeded.forEach { $0.deliver() }
        } catch {
            try? await database.raw("ROLLBACK").run()
            succeeded.forEach { $0.fail(error) }
        }
    }
}
