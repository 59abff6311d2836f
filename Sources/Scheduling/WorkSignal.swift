import Synchronization

/// Tells waiting workers that tries were queued: a broadcast without lost wake-ups, since a waiter
/// subscribes (``subscribe()``) before it looks for work and waits on its ticket after.
public final class WorkSignal: Sendable {
    private struct Waiters: ~Copyable {
        var next: UInt64 = 0
        var continuations: [UInt64: AsyncStream<Void>.Continuation] = [:]
    }

    private let waiters = Mutex(Waiters())

    public init() {}

    /// Wakes every ticket taken before now.
    public func notify() {
        waiters.withLock { waiters in
            for continuation in waiters.continuations.values { continuation.yield() }
        }
    }

    /// A ticket that a later ``notify()`` wakes.
    public func subscribe() -> Ticket {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = waiters.withLock { waiters in
            waiters.next += 1
            waiters.continuations[waiters.next] = continuation
            return waiters.next
        }
        return Ticket(stream: stream) { [weak self] in
            _ = self?.waiters.withLock { $0.continuations.removeValue(forKey: id) }
        }
    }

    /// One subscription: wait on it once, it unsubscribes when released.
    public final class Ticket: Sendable {
        private let stream: AsyncStream<Void>
        private let cancel: @Sendable () -> Void

        init(stream: AsyncStream<Void>, cancel: @escaping @Sendable () -> Void) {
            self.stream = stream
            self.cancel = cancel
        }

        deinit { cancel() }

        /// Returns once notified, after `timeout`, or when the calling task is cancelled.
        public func wait(timeout: Duration) async {
            let stream = stream
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in stream { return }
                }
                group.addTask { try? await Task.sleep(for: timeout) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
