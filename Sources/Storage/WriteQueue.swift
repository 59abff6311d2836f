import SQLKit
import Synchronization

/// Group commit for a single writer connection: writes submitted while a transaction commits wait,
/// and the next transaction runs them all with one commit (one fsync).
///
/// A write's result is delivered only after the commit that made it durable; a write that throws
/// fails alone (the batch is retried one write per transaction), and nothing it wrote is kept.
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

    /// Commits `batch` in one transaction. Writes rarely fail, so the batch first runs without
    /// savepoints; if one write throws, the transaction is rolled back and every write of the batch
    /// runs again in a transaction of its own, so the failure stays with the write that caused it.
    private func commit(_ batch: [Job], on database: any SQLDatabase) async {
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
        } catch {
            for job in batch { job.fail(error) }
            return
        }
        var delivered: [@Sendable () -> Void] = []
        for job in batch {
            do {
                delivered.append(try await job.perform(database))
            } catch {
                try? await database.raw("ROLLBACK").run()
                if batch.count == 1 {
                    job.fail(error)
                } else {
                    for single in batch { await commit([single], on: database) }
                }
                return
            }
        }
        do {
            try await database.raw("COMMIT").run()
            for deliver in delivered { deliver() }
        } catch {
            try? await database.raw("ROLLBACK").run()
            for job in batch { job.fail(error) }
        }
    }
}
