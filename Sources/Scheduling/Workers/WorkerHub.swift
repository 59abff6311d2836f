import Foundation
import Logging
public import OrchestratorDatabase
public import TaskExecution
import Workflow

/// The server's side of `flowline worker`: registration, heartbeats, claims (long-polled), the
/// streamed log and the reported ends of tries. Every report carries the try's fencing token (try
/// number and lease): one that no longer matches is refused, and the worker stops that try.
public struct WorkerHub: Sendable {
    /// How often workers are asked to send a heartbeat.
    public var heartbeatInterval: Duration
    /// The longest a fetch waits for work.
    public static let maximumWait: Duration = .seconds(30)
    /// The most tries one fetch may claim, and one report may end.
    public static let maximumBatch = 256
    /// The most bytes one log push may carry.
    public static let maximumLogChunk = 1 << 20

    let scheduler: Scheduler
    var store: OrchestratorStore { scheduler.store }

    /// - Parameter heartbeatInterval: at most; a third of the worker timeout when that is less,
    ///   so that a live worker is never taken for a silent one.
    public init(scheduler: Scheduler, heartbeatInterval: Duration = .seconds(5)) {
        self.scheduler = scheduler
        self.heartbeatInterval = min(heartbeatInterval, scheduler.configuration.workerTimeout / 3)
    }

    /// How long a silent worker keeps its tries.
    public var workerTimeout: Duration { scheduler.configuration.workerTimeout }

    // MARK: Registration and heartbeats

    /// Registers (or re-registers) worker `name`. Tries the store still gives it were lost with its
    /// previous life: they are failed or retried now.
    public func register(
        _ name: String,
        tokenName: String,
        hostname: String,
        queues: [String],
        concurrency: Int,
        version: String
    ) async throws {
        if let problem = OrchestratorStore.workerNameProblem(name) { throw OrchestratorError.invalid(problem) }
        if let problem = OrchestratorStore.workerNameProblem(hostname, what: "hostname") { throw OrchestratorError.invalid(problem) }
        guard (1...4096).contains(concurrency) else { throw OrchestratorError.invalid("concurrency must be from 1 to 4096, not \(concurrency)") }
        try Self.checkQueues(queues)
        guard version.unicodeScalars.count <= 64, !version.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw OrchestratorError.invalid("version must be at most 64 characters, none of them a control character")
        }
        if try await store.worker(named: name)?.kind == .local {
            throw OrchestratorError.conflict("`\(name)` is the name of a server's own executor; choose another worker name")
        }
        let held = try await store.registerWorker(
            name,
            kind: .remote,
            hostname: hostname,
            queues: queues,
            concurrency: concurrency,
            version: version,
            tokenName: tokenName
        )
        try await scheduler.endLostTries(held, reason: "the try was lost: worker '\(name)' started again while it held the try")
    }

    /// Records a heartbeat of worker `name`, which runs the tries whose leases it lists.
    /// - Returns: whether it should take no new tries, and the leases it must stop (tries taken
    ///   from it, marked or cleared meanwhile).
    /// - Throws: ``OrchestratorError/notFound(_:)`` for a worker that must register (again).
    public func heartbeat(_ name: String, state: WorkerRecord.State, leases: [String]) async throws -> (maintenance: Bool, stop: [String]) {
        guard let maintenance = try await store.heartbeat(worker: name, state: state) else {
            throw OrchestratorError.notFound("Worker `\(name)` is not registered; register it first")
        }
        let held = Set(try await store.heldTries(worker: name).compactMap(\.lease))
        return (maintenance, leases.filter { !held.contains($0) })
    }

    // MARK: Claims

    /// A try handed to a worker: its lease and its workload.
    public struct Job: Sendable {
        public var lease: String
        public var workload: TaskWorkload
    }

    /// Claims up to `slots` tries of `queues` for worker `name`, waiting up to `wait` for some to
    /// be queued. A worker in maintenance gets none.
    public func fetch(_ name: String, queues: [String], slots: Int, wait: Duration) async throws -> [Job] {
        try Self.checkQueues(queues)
        let slots = min(max(slots, 0), Self.maximumBatch)
        guard slots > 0 else { return [] }
        let deadline = ContinuousClock.now + min(wait, Self.maximumWait)
        while true {
            let ticket = scheduler.queuedWork.subscribe()
            guard let maintenance = try await store.maintenance(of: name) else {
                throw OrchestratorError.notFound("Worker `\(name)` is not registered (or was taken for offline); register it again")
            }
            if !maintenance, try await store.hasClaimableTries(in: queues) {
                // Tries record the worker's name as their host: unique, unlike host names.
                let claimed = try await store.claimTries(worker: name, hostname: name, queues: queues, limit: slots)
                if !claimed.isEmpty { return await jobs(for: claimed) }
            }
            let left = deadline - ContinuousClock.now
            if left <= .zero || Task.isCancelled { return [] }
            // Woken when the scheduler queues tries; polled each second in case another server did.
            await ticket.wait(timeout: min(left, .seconds(1)))
        }
    }

    /// The workloads of claimed tries; a try whose workload cannot be built fails at once.
    private func jobs(for claimed: [TaskInstance]) async -> [Job] {
        var jobs: [Job] = []
        var broken: [(TaskInstance, String)] = []
        // Tries claimed together mostly share their run: read each run once.
        var runs: [String: DagRun] = [:]
        for instance in claimed {
            do {
                let dag = try await scheduler.dag(instance.dagID)
                guard let task = dag.task(instance.taskID) else {
                    throw OrchestratorError.notFound("task `\(instance.taskID)` is no longer in the DAG")
                }
                let runKey = OrchestratorStore.runKey(dagID: instance.dagID, runID: instance.runID)
                let run: DagRun
                if let known = runs[runKey] {
                    run = known
                } else {
                    run = try await store.run(dagID: instance.dagID, runID: instance.runID)
                    runs[runKey] = run
                }
                let workload = try await TaskRunner.workload(
                    task,
                    of: dag,
                    run: run,
                    tryNumber: instance.tryNumber,
                    store: store,
                    runStorage: scheduler.configuration.runStorage,
                    workspace: scheduler.configuration.folders.workspace(dagID: dag.dagID, runID: run.runID),
                    trackingTokens: scheduler.configuration.trackingTokens
                )
                jobs.append(Job(lease: instance.lease ?? "", workload: workload))
            } catch {
                broken.append((instance, "cannot prepare the task: \(error)"))
            }
        }
        for (instance, reason) in broken {
            try? await scheduler.endLostTries([instance], reason: reason)
        }
        return jobs
    }

    // MARK: Reports

    /// The end of one try as a worker reports it.
    public struct Report: Sendable {
        public var dagID: String
        public var runID: String
        public var taskID: String
        public var tryNumber: Int
        public var lease: String
        public var result: TryResult
        /// Log lines of the try not pushed yet (at most ``TryResult/maximumReportedLog`` bytes).
        public var log: String

        public init(dagID: String, runID: String, taskID: String, tryNumber: Int, lease: String, result: TryResult, log: String = "") {
            self.dagID = dagID
            self.runID = runID
            self.taskID = taskID
            self.tryNumber = tryNumber
            self.lease = lease
            self.result = result
            self.log = log
        }
    }

    /// Records the ends of tries worker `name` reports, in one transaction.
    /// - Returns: per report, `nil` when recorded, or why it was refused (the lease is no longer
    ///   the worker's: the try was taken from it, marked or cleared).
    public func report(_ name: String, _ reports: [Report]) async throws -> [String?] {
        guard reports.count <= Self.maximumBatch else { throw OrchestratorError.invalid("at most \(Self.maximumBatch) reports at once") }
        if let index = reports.firstIndex(where: { $0.log.utf8.count > TryResult.maximumReportedLog }) {
            throw OrchestratorError.invalid("reports[\(index)]: log may hold at most \(TryResult.maximumReportedLog) bytes; push longer logs first")
        }
        var outcomes: [String?] = []
        var endings: [(index: Int, ending: OrchestratorStore.TryEnding, tail: String, log: [(text: String, level: TaskLog.Level)])] = []
        let current = try await store.taskInstances(named: reports.map { ($0.dagID, $0.runID, $0.taskID) })
        for (index, report) in reports.enumerated() {
            let instance: TaskInstance
            do {
                let key = OrchestratorStore.instanceKey(dagID: report.dagID, runID: report.runID, taskID: report.taskID)
                instance = try Self.held(
                    current[key],
                    by: name,
                    report.dagID,
                    report.runID,
                    report.taskID,
                    tryNumber: report.tryNumber,
                    lease: report.lease
                )
            } catch {
                outcomes.append("\(error)")
                continue
            }
            let task = try? await scheduler.dag(report.dagID).task(report.taskID)
            let (ending, lines) = OrchestratorStore.TryEnding.after(report.result, of: instance, task: task)
            outcomes.append(nil)
            endings.append((index, ending, report.log, lines))
        }
        let results: [TaskInstance?]
        do {
            results = try await store.endTries(endings.map(\.ending))
        } catch OrchestratorError.invalid {
            // One of them pushed an XCom too large: record them one by one, so that only it fails.
            var one: [TaskInstance?] = []
            for position in endings.indices {
                do {
                    one.append(try await store.endTries([endings[position].ending]).first ?? nil)
                } catch OrchestratorError.invalid(let problem) {
                    let instance = endings[position].ending.instance
                    let task = try? await scheduler.dag(instance.dagID).task(instance.taskID)
                    let (failure, lines) = OrchestratorStore.TryEnding.failure(problem, retryable: true, of: instance, task: task)
                    endings[position].log = lines
                    one.append(try await store.endTries([failure]).first ?? nil)
                }
            }
            results = one
        }
        for (entry, result) in zip(endings, results) {
            guard result != nil else {
                outcomes[entry.index] = "the try was moved meanwhile (marked, cleared or taken from this worker); its result is not recorded"
                continue
            }
            let instance = entry.ending.instance
            if let log = try? TaskLog(url: scheduler.configuration.folders.log(of: instance), echo: nil) {
                if !entry.tail.isEmpty { log.append(entry.tail) }
                for line in entry.log { log.write(line.text, level: line.level) }
            }
        }
        if !endings.isEmpty { await scheduler.triesEnded(Array(zip(endings.map(\.ending.instance), results))) }
        return outcomes
    }

    /// Appends lines a worker streams to the log of a try it holds.
    public func appendLog(_ name: String, dagID: String, runID: String, taskID: String, tryNumber: Int, lease: String, text: String) async throws {
        guard text.utf8.count <= Self.maximumLogChunk else {
            throw OrchestratorError.invalid("a log chunk may hold at most \(Self.maximumLogChunk) bytes")
        }
        let instance = try await holding(name, dagID, runID, taskID, tryNumber: tryNumber, lease: lease)
        try TaskLog(url: scheduler.configuration.folders.log(of: instance), echo: nil).append(text)
    }

    /// The running task instance worker `name` holds with `lease`.
    /// - Throws: ``OrchestratorError/conflict(_:)`` when it no longer does.
    func holding(
        _ name: String,
        _ dagID: String,
        _ runID: String,
        _ taskID: String,
        tryNumber: Int,
        lease: String
    ) async throws -> TaskInstance {
        try Self.held(
            try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID),
            by: name,
            dagID,
            runID,
            taskID,
            tryNumber: tryNumber,
            lease: lease
        )
    }

    /// `instance` (as read) when worker `name` holds it with `lease`, the one rule of fencing.
    /// - Throws: ``OrchestratorError/notFound(_:)`` when there is none; ``OrchestratorError/conflict(_:)``
    ///   when the worker no longer holds it.
    static func held(
        _ instance: TaskInstance?,
        by name: String,
        _ dagID: String,
        _ runID: String,
        _ taskID: String,
        tryNumber: Int,
        lease: String
    ) throws -> TaskInstance {
        guard let instance else {
            throw OrchestratorError.notFound("TaskInstance not found: task `\(taskID)` of run `\(runID)` of DAG `\(dagID)`")
        }
        guard instance.worker == name, instance.lease == lease, instance.tryNumber == tryNumber, instance.state == .running else {
            throw OrchestratorError.conflict(
                "try \(tryNumber) of task `\(taskID)` is not held by worker `\(name)` with this lease (it is \(instance.state?.rawValue ?? "none"), try \(instance.tryNumber)); stop it"
            )
        }
        return instance
    }

    static func checkQueues(_ queues: [String]) throws {
        guard (1...64).contains(queues.count) else { throw OrchestratorError.invalid("a worker serves 1 to 64 queues, not \(queues.count)") }
        for queue in queues {
            if let problem = TaskDefinition.queueProblem(queue) { throw OrchestratorError.invalid(problem) }
        }
    }
}
