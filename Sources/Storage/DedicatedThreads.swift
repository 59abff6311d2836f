import Foundation

/// A task executor of its own threads, for work that blocks: SQLite's calls (an fsync at a commit,
/// a long search) run here instead of on Swift's cooperative pool, and a transaction of several
/// statements runs on one thread without a hop per statement.
///
/// Run code here with `withTaskExecutorPreference(threads) { … }`. ``shutdown()`` ends the threads
/// once the jobs given to them have run; jobs arriving later run on the global executor.
final class DedicatedThreads: TaskExecutor {
    /// The jobs waiting for a thread.
    private final class Queue: @unchecked Sendable {
        // Everything below is guarded by `condition`.
        private let condition = NSCondition()
        private var jobs: [UnownedJob] = []
        private var head = 0
        private var closed = false

        /// Queues `job`; `false` once closed.
        func push(_ job: UnownedJob) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !closed else { return false }
            jobs.append(job)
            condition.signal()
            return true
        }

        /// The next job; `nil` once closed and empty.
        func pop() -> UnownedJob? {
            condition.lock()
            defer { condition.unlock() }
            while head == jobs.count {
                if closed { return nil }
                condition.wait()
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            return job
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
    }

    private let queue = Queue()

    /// Starts `count` threads named `name`; each keeps the executor until ``shutdown()``.
    init(count: Int, name: String) {
        for index in 0..<count {
            let thread = Thread { [self] in
                let executor = asUnownedTaskExecutor()
                while let job = queue.pop() {
                    job.runSynchronously(on: executor)
                }
            }
            thread.name = count == 1 ? name : "\(name)-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !queue.push(job) {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Lets the threads end once the queued jobs have run.
    func shutdown() {
        queue.close()
    }
}
