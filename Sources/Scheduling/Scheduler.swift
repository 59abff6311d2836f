public import Foundation
public import JSON
public import Logging
public import OrchestratorDatabase
public import RunStorage
public import ServiceLifecycle
public import TaskExecution
public import Workflow

#if canImport(Glibc)
import Glibc
#endif

/// Flowline's scheduler, executor and triggerer in one: it loads the DAGs folder, creates runs
/// from schedules and triggers, decides which tasks may run (trigger rules, limits, retries), and
/// runs them — programs as child processes on a bounded pool of slots, sensors as waits that hold
/// no slot.
///
/// Event-driven: a finished task, a trigger, a changed DAG file or a due timer wakes it at once;
/// there is no polling delay between tasks.
public actor Scheduler: Service {
    public struct Configuration: Sendable {
        public var folders: OrchestratorFolders
        /// How many program tries run at once (`--parallelism`).
        public var parallelism: Int
        /// The interpreter of python tasks (`--python`).
        public var python: String
        /// How often the DAGs folder is checked for changes.
        public var rescanInterval: Duration
        /// Run only this DAG, triggered by hand, instead of the DAGs folder's (`dags test`).
        public var only: DAG?
        /// What task processes get of the server's environment.
        public var taskEnvironment: TaskEnvironment
        /// The OS user task processes run as (`--task-user`); `nil`: the server's own.
        public var taskUser: TaskUser?
        /// The queues this server's own slots serve: `default`, or none (`--no-local-executor`).
        public var localQueues: [String] = [TaskDefinition.defaultQueue]
        /// The name this server's local executor has among the workers.
        public var workerName: String = "server-\(ProcessInfo.processInfo.hostName)"
        /// How long a worker may stay silent before its tries are failed or retried elsewhere.
        public var workerTimeout: Duration = .seconds(30)
        /// Flowline's version, for the workers page.
        public var version = "dev"
        /// Where tasks' outputs are kept between tries (`--run-storage`).
        public var runStorage: any RunStorage
        /// The largest output file a try may store (`--max-task-output-size`).
        public var maximumTaskOutputSize: Int64
        /// How servers sharing a PostgreSQL database elect the one that schedules.
        public var leadership: Leadership
        /// Issues the token a try gets for the tracking server (`MLFLOW_TRACKING_TOKEN`) when it
        /// wants logins; `nil`: tries get none.
        public var trackingTokens: TrackingTokenIssuer?

        /// - Parameter runStorage: defaults to a ``FolderRunStorage`` in `folders.runStorage`.
        public init(
            folders: OrchestratorFolders,
            parallelism: Int,
            python: String,
            rescanInterval: Duration = .seconds(1),
            only: DAG? = nil,
            taskEnvironment: TaskEnvironment = TaskEnvironment(),
            taskUser: TaskUser? = nil,
            runStorage: (any RunStorage)? = nil,
            maximumTaskOutputSize: Int64 = LocalTaskData.defaultMaximumOutputSize,
            leadership: Leadership = Leadership()
        ) {
            self.runStorage = runStorage ?? FolderRunStorage(folder: folders.runStorage)
            self.maximumTaskOutputSize = maximumTaskOutputSize
            self.folders = folders
            self.parallelism = parallelism
            self.python = python
            self.rescanInterval = rescanInterval
            self.only = only
            self.taskEnvironment = taskEnvironment
            self.taskUser = taskUser
            self.leadership = leadership
        }
    }

    public nonisolated let store: OrchestratorStore
    /// Told whenever tries are queued for workers (``WorkerHub``'s long polls wait on it).
    public nonisolated let queuedWork = WorkSignal()
    public nonisolated let configuration: Configuration
    let logger: Logger
    private let runner: TaskRunner
    private let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    /// Whether this scheduler schedules (see Scheduler+Leadership.swift).
    var leadership: LeadershipState

    /// The DAGs as last loaded, by id.
    var dags: [String: DAG] = [:]
    private var paused: Set<String> = []
    private var fingerprint: [String: String]?
    /// Tries in flight, by task-instance key, with what stops them.
    var inFlight: [String: (signal: StopSignal, usesSlot: Bool)] = [:]
    var usedSlots = 0
    /// Tries to start, handed from a scheduling pass to the loop that owns the task group.
    var launches: [(instance: TaskInstance, run: DagRun, dag: DAG, signal: StopSignal)] = []
    /// The task instances of running runs as this scheduler last wrote or read them, by run key and
    /// task id, so a pass does not read every task of every run again.
    var known: [String: [String: TaskInstance]] = [:]
    /// Runs whose task instances may have changed elsewhere: read again on the next pass.
    var stale: Set<String> = []
    /// Whether another process may have paused or unpaused DAGs since they were last read.
    var pausedMayHaveChanged = true
    /// Runs whose task instances are being read right now, with the tries that ended meanwhile:
    /// laid over what the read returns, which may predate them.
    private var endedDuringRead: [String: [String: TaskInstance]] = [:]
    /// Runs being marked success or failed by hand right now (passes leave them alone).
    private var endingByHand: Set<String> = []
    private var nextDeadline: Date?
    /// The earliest time a timer is already set to wake the loop.
    private var armedUntil: Date?
    private var started = false
    /// Whether this process recovered its local executor's lost tries (once, at its first lead).
    var recoveredAtStart = false
    /// When the workers' heartbeats were last checked (once a second at most).
    var workersCheckedAt = Date.distantPast
    /// When the local executor's worker row was last renewed, and with which state.
    var localHeartbeat: (at: ContinuousClock.Instant, running: Bool)?
    /// Whether tries may wait in a queue the local slots serve (a claim is worth a look).
    var localWorkWaiting = true
    /// When the scheduler last completed a pass: its heartbeat, for `/api/v2/monitor/health`.
    public internal(set) var lastHeartbeat: Date?
    /// Whether a reload of the DAGs folder is under way, and who waits for it to end.
    private var reloading = false
    private var reloadWaiters: [CheckedContinuation<Void, Never>] = []
    private var startWaiters: [CheckedContinuation<Void, Never>] = []

    /// Runs once the database serves requests, before scheduling starts (the first admin user).
    private let onStart: @Sendable () async throws -> Void

    public init(
        store: OrchestratorStore,
        configuration: Configuration,
        logger: Logger,
        echo: (@Sendable (String) -> Void)? = nil,
        onStart: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.store = store
        self.onStart = onStart
        self.configuration = configuration
        self.logger = logger
        leadership = Self.initialLeadership(store)
        let executor = TryExecutor(
            folders: configuration.folders,
            python: configuration.python,
            repositories: GitRepositoryCache(folder: configuration.folders.repositories),
            baseEnvironment: configuration.taskEnvironment.base(from: ProcessInfo.processInfo.environment)
                .merging(configuration.taskUser?.environment ?? [:]) { _, user in user },
            taskUser: configuration.taskUser,
            data: LocalTaskData(storage: configuration.runStorage, maximumOutputSize: configuration.maximumTaskOutputSize)
        )
        runner = TaskRunner(
            store: store,
            folders: configuration.folders,
            runStorage: configuration.runStorage,
            trackingTokens: configuration.trackingTokens,
            executor: executor,
            logger: logger,
            echo: echo
        )
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a scheduling pass as soon as possible.
    public nonisolated func poke() {
        wake.yield()
    }

    // MARK: Running

    /// Schedules and runs tasks until cancelled or shut down gracefully; on shutdown, running tries
    /// are stopped (and, like tries lost to a crash, retried by the next start).
    public func run() async throws {
        // Whatever happens, nobody waits for a start that will not come.
        defer { markStarted() }
        try await onStart()
        try await registerLocalExecutor()
        try await recoverAtStart()
        await reloadIfChanged(force: true)
        markStarted()
        wake.yield()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if configuration.only == nil {
                    group.addTask { [weak self, logger] in
                        await self?.watchFolder()
                        logger.trace("Scheduler: the folder watch ended")
                    }
                }
                group.addTask { [logger] in
                    await self.holdLeadership()
                    logger.trace("Scheduler: holding the lease ended")
                }
                group.addTask { [logger] in
                    await self.listenForQueuedWork()
                    logger.trace("Scheduler: listening for queued work ended")
                }
                for await _ in wakeups {
                    if Task.isCancelled { break }
                    guard leadership.mayPass(at: .now) else { continue }
                    await pass()
                    for launch in takeLaunches() {
                        group.addTask { [runner] in
                            let ended = await runner.run(launch.instance, of: launch.run, dag: launch.dag, stop: launch.signal)
                            await self.tryEnded(launch.instance, as: ended)
                            await self.archiveLogs(of: [launch.instance])
                        }
                    }
                    if let deadline = takeTimer() {
                        group.addTask {
                            try? await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                            await self.timerFired(deadline)
                        }
                    }
                }
                logger.trace("Scheduler: the pass loop ended")
                group.cancelAll()
            }
        } onGracefulShutdown: { [wake] in
            wake.finish()
        }
        // Cancellation: stop the wake stream so the loop ends.
        wake.finish()
    }

    /// Returns once the scheduler has started: its start hook ran (the first admin exists), lost
    /// tries were recovered (on PostgreSQL: once it holds the scheduler lease, later) and the DAGs
    /// folder was read; or once it has stopped without starting.
    public func waitUntilStarted() async {
        if started { return }
        await withCheckedContinuation { startWaiters.append($0) }
    }

    private func markStarted() {
        started = true
        for waiter in startWaiters { waiter.resume() }
        startWaiters = []
    }

    private func takeLaunches() -> [(instance: TaskInstance, run: DagRun, dag: DAG, signal: StopSignal)] {
        defer { launches = [] }
        return launches
    }

    /// The deadline to set a timer for: the pass's earliest, unless a timer already fires sooner.
    private func takeTimer() -> Date? {
        defer { nextDeadline = nil }
        guard let deadline = nextDeadline else { return nil }
        if let armedUntil, armedUntil <= deadline, armedUntil > Date() { return nil }
        armedUntil = deadline
        return deadline
    }

    private func timerFired(_ deadline: Date) {
        if armedUntil == deadline { armedUntil = nil }
        wake.yield()
    }

    private func tryEnded(_ instance: TaskInstance, as ended: TaskInstance?) {
        let key = Self.key(instance)
        if let entry = inFlight.removeValue(forKey: key), entry.usesSlot { usedSlots -= 1 }
        if let ended {
            remember(ended)
        } else {
            stale.insert(OrchestratorStore.runKey(dagID: instance.dagID, runID: instance.runID))
        }
        logger.debug("Task \(instance.taskID) of \(instance.runID) ended: \(ended?.state?.rawValue ?? "moved meanwhile")")
        wake.yield()
    }

    /// Rescans the DAGs folder every ``Configuration/rescanInterval``, with a pass after each that
    /// rereads every run: it picks up what another process wrote (`flowline dags trigger`, a pause).
    ///
    /// An idle server does not reread for nothing: when neither the folder nor the database changed
    /// from outside since the last pass (SQLite tells; PostgreSQL's servers notify each other
    /// instead), the pass waits for a quarter of the worker timeout, which still notices silent
    /// workers in time. This server's own changes wake passes directly.
    private func watchFolder() async {
        var lastCounter = try? await store.externalChangeCounter()
        var lastPass = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.rescanInterval)
            let reloaded = await reloadIfChanged(force: false)
            await heartbeatLocalExecutor()
            let counter = try? await store.externalChangeCounter()
            let quiet = !reloaded && counter != nil && counter == lastCounter
            lastCounter = counter
            if quiet && ContinuousClock.now - lastPass < configuration.workerTimeout / 4 { continue }
            lastPass = ContinuousClock.now
            forgetKnownInstances()
            wake.yield()
        }
    }

    // MARK: Loading

    /// Rescans the DAGs folder if a file changed; returns whether it did.
    @discardableResult
    public func reloadIfChanged(force: Bool) async -> Bool {
        if let only = configuration.only {
            guard dags.isEmpty else { return false }
            _ = try? await store.sync(only, source: "", nextRun: nil)
            try? await store.setPaused(only.dagID, false)
            dags = [only.dagID: only]
            return true
        }
        // One reload at a time: two interleaved ones would write the same DAGs concurrently.
        while reloading { await withCheckedContinuation { reloadWaiters.append($0) } }
        reloading = true
        defer {
            reloading = false
            if !reloadWaiters.isEmpty { reloadWaiters.removeFirst().resume() }
        }
        let folder = DAGFolder(url: configuration.folders.dags)
        let current = folder.fingerprint()
        guard force || current != fingerprint else { return false }
        fingerprint = current
        let contents = folder.scan()
        var loaded: [String: DAG] = [:]
        var nowPaused: Set<String> = []
        // A DAG whose file now fails to load keeps running on its last good definition.
        let failing = Set(contents.errors.map(\.file))
        for (dagID, dag) in dags where contents.dags[dagID] == nil && failing.contains(dag.fileLocation) {
            loaded[dagID] = dag
        }
        do {
            for (dagID, entry) in contents.dags {
                let next = await upcomingInterval(entry.dag)
                if try await store.sync(entry.dag, source: entry.source, nextRun: next) { nowPaused.insert(dagID) }
                loaded[dagID] = entry.dag
            }
            try await store.deactivateDAGs(notIn: Set(loaded.keys))
            try await store.replaceImportErrors(contents.errors)
            nowPaused.formUnion(try await store.pausedDAGIDs())
        } catch {
            logger.error("Cannot record the DAGs folder's contents: \(error)")
            // Keep serving what was loaded before rather than forgetting DAGs.
            loaded.merge(dags) { new, _ in new }
        }
        for failure in contents.errors { logger.warning("DAG import error: \(failure)") }
        dags = loaded
        paused = nowPaused
        return true
    }

    /// The DAG named `dagID` as last loaded.
    public func dag(_ dagID: String) throws(OrchestratorError) -> DAG {
        guard let dag = dags[dagID] else { throw .notFound("The DAG with dag_id: `\(dagID)` was not found") }
        return dag
    }

    /// All loaded DAGs.
    public func loadedDAGs() -> [DAG] {
        dags.values.sorted { $0.dagID < $1.dagID }
    }

    /// Changes made by other processes show within one rescan interval.
    func forgetKnownInstances() {
        stale.formUnion(known.keys)
        pausedMayHaveChanged = true
    }

    /// Records a try's end as the store wrote it (this server's executor, or a worker's report
    /// heard here), so that the next pass need not read its run again.
    func remember(_ ended: TaskInstance) {
        let run = OrchestratorStore.runKey(dagID: ended.dagID, runID: ended.runID)
        known[run]?[ended.taskID] = ended
        endedDuringRead[run]?[ended.taskID] = ended
    }

    /// The task instances of `runs`: from memory where this scheduler knows them, else read.
    private func instances(of runs: [DagRun]) async throws -> [String: [TaskInstance]] {
        let keys = runs.map { OrchestratorStore.runKey(dagID: $0.dagID, runID: $0.runID) }
        let missing = zip(runs, keys).filter { known[$0.1] == nil || stale.contains($0.1) }
        if !missing.isEmpty {
            for (_, key) in missing {
                stale.remove(key)
                endedDuringRead[key] = [:]
            }
            defer { for (_, key) in missing { endedDuringRead.removeValue(forKey: key) } }
            for (key, list) in try await store.taskInstances(of: missing.map(\.0)) {
                var read = Dictionary(list.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
                read.merge(endedDuringRead[key] ?? [:]) { _, ended in ended }
                known[key] = read
            }
        }
        // Forget runs that are no longer running.
        let running = Set(keys)
        for key in known.keys where !running.contains(key) { known.removeValue(forKey: key) }
        var result: [String: [TaskInstance]] = [:]
        for key in keys { result[key] = known[key].map { Array($0.values) } ?? [] }
        return result
    }

    // MARK: Actions

    /// Triggers a run of `dagID` with `conf` (checked against the DAG's params).
    /// - Parameters:
    ///   - runID: the run's id; `manual__<time>` when `nil`.
    ///   - logicalDate: the run's logical date, if any.
    /// - Throws: ``OrchestratorError`` for an unknown DAG, invalid conf or a taken run id.
    public func trigger(
        _ dagID: String,
        runID: String? = nil,
        conf: [String: JSONValue] = [:],
        logicalDate: Date? = nil,
        dataInterval: DataInterval? = nil,
        triggeredBy: String = "rest_api",
        user: String? = nil,
        note: String? = nil
    ) async throws -> DagRun {
        let dag = try dag(dagID)
        let (params, problems) = dag.params(for: conf)
        guard problems.isEmpty else { throw OrchestratorError.invalid("Invalid input for param: \(problems.joined(separator: "; "))") }
        let now = Date()
        let id = runID ?? "manual__\(DateText.format(logicalDate ?? now))"
        if let runID, let problem = DagRun.runIDProblem(runID) { throw OrchestratorError.invalid(problem) }
        let interval = dataInterval ?? logicalDate.map { DataInterval(start: $0, end: $0) }
        let run = try await store.createRun(
            dag,
            runID: id,
            runType: .manual,
            logicalDate: logicalDate,
            dataInterval: interval,
            runAfter: now,
            conf: conf,
            params: params,
            triggeredBy: triggeredBy,
            user: user,
            note: note,
            now: now
        )
        await announceChange()
        return run
    }

    public func setPaused(_ dagID: String, _ isPaused: Bool) async throws {
        try await store.setPaused(dagID, isPaused)
        if isPaused { paused.insert(dagID) } else { paused.remove(dagID) }
        await announceChange()
    }

    /// Ends a run as `state`: tries in flight are stopped and fail, tasks not started are skipped
    /// (when failing the run) or marked success (when succeeding it).
    public func setRunState(dagID: String, runID: String, to state: DagRunState) async throws -> DagRun {
        let key = OrchestratorStore.runKey(dagID: dagID, runID: runID)
        stale.insert(key)
        // While its tasks are being moved, no pass may close the run on the half-moved states.
        endingByHand.insert(key)
        defer {
            endingByHand.remove(key)
            stale.insert(key)
        }
        let run = try await store.run(dagID: dagID, runID: runID)
        if state == .queued {
            return try await store.setRunState(run, to: .queued)
        }
        for instance in try await store.taskInstances(dagID: dagID, runID: runID) where instance.state?.isFinished != true {
            let target: TaskState = state == .success ? .success : (instance.state?.isActive == true ? .failed : .skipped)
            _ = try? await store.transition(instance, to: target) { next in
                next.message = "the run was marked \(state.rawValue)"
                next.endDate = Date()
            }
            // Stopped after its state is recorded, so the try's own end cannot overtake it.
            inFlight[Self.key(instance)]?.signal.stop("the run was marked \(state.rawValue)")
        }
        let ended = try await store.setRunState(try await store.run(dagID: dagID, runID: runID), to: state)
        await announceChange()
        return ended
    }

    /// Marks one task success or failed by hand, stopping it if it runs.
    public func setTaskState(dagID: String, runID: String, taskID: String, to state: TaskState) async throws -> TaskInstance {
        stale.insert(OrchestratorStore.runKey(dagID: dagID, runID: runID))
        defer { stale.insert(OrchestratorStore.runKey(dagID: dagID, runID: runID)) }
        guard state == .success || state == .failed || state == .skipped else {
            throw OrchestratorError.invalid("a task can be marked success, failed or skipped, not \(state.rawValue)")
        }
        var instance = try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID)
        // The mark is recorded first, then a running try is stopped: stopped first, the try could
        // record its own failure before the mark (its end then finds the mark and leaves it). A
        // pass or a try's end that moved the task meanwhile is not the user's problem: read it
        // again and mark that (a move the rules forbid still fails).
        var attempt = 0
        let moved: TaskInstance
        while true {
            do {
                moved = try await store.transition(instance, to: state) { next in
                    next.message = "marked \(state.rawValue) by hand"
                    next.endDate = Date()
                }
                break
            } catch OrchestratorError.conflict(let message) {
                let current = try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID)
                attempt += 1
                guard current.state != instance.state || current.tryNumber != instance.tryNumber, attempt < 5 else {
                    throw OrchestratorError.conflict(message)
                }
                instance = current
            }
        }
        inFlight[Self.key(instance)]?.signal.stop("the task was marked \(state.rawValue)")
        let run = try await store.run(dagID: dagID, runID: runID)
        if run.state.isFinished { _ = try await store.moveRun(run, to: .running) }
        await announceChange()
        return moved
    }

    /// Clears tasks of a run so they run again; with `dryRun`, only says which it would clear
    /// (the same selection, read in one transaction).
    /// - Parameter onlyFailed: clear only failed and upstream-failed tasks.
    /// - Throws: ``OrchestratorError/conflict(_:)`` when a selected task is running or queued.
    public func clear(
        dagID: String,
        runID: String,
        taskIDs: [String],
        includeDownstream: Bool,
        onlyFailed: Bool = false,
        dryRun: Bool = false
    ) async throws -> [TaskInstance] {
        let dag = try dag(dagID)
        for taskID in taskIDs where dag.task(taskID) == nil {
            throw OrchestratorError.notFound("Task `\(taskID)` is not in DAG `\(dagID)`")
        }
        let targets = taskIDs.isEmpty ? dag.tasks.map(\.taskID) : taskIDs
        if dryRun {
            return try await store.clear(
                dag,
                runID: runID,
                taskIDs: targets,
                includeDownstream: includeDownstream,
                onlyFailed: onlyFailed,
                dryRun: true
            )
        }
        stale.insert(OrchestratorStore.runKey(dagID: dagID, runID: runID))
        defer { stale.insert(OrchestratorStore.runKey(dagID: dagID, runID: runID)) }
        let cleared = try await store.clear(dag, runID: runID, taskIDs: targets, includeDownstream: includeDownstream, onlyFailed: onlyFailed)
        await announceChange()
        return cleared
    }

    /// Sets the note of a run.
    public func setRunNote(dagID: String, runID: String, note: String) async throws -> DagRun {
        try await store.setRunNote(try await store.run(dagID: dagID, runID: runID), note: note)
    }

    /// Sets the note of a task instance.
    public func setTaskNote(dagID: String, runID: String, taskID: String, note: String) async throws -> TaskInstance {
        try await store.setTaskNote(try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID), note: note)
    }

    /// Deletes a run that is not running, with its task instances, tries, XComs and the data its
    /// tasks stored.
    /// - Throws: ``OrchestratorError/conflict(_:)`` for a running run.
    public func deleteRun(dagID: String, runID: String) async throws {
        try await store.deleteRun(dagID: dagID, runID: runID)
        do {
            try await configuration.runStorage.deleteRun(dagID: dagID, runID: runID)
        } catch {
            // The run is gone from the database; its files are left for an operator to remove.
            logger.warning("Deleted run \(runID) of \(dagID), but not its task data: \(error)")
        }
        known.removeValue(forKey: OrchestratorStore.runKey(dagID: dagID, runID: runID))
        await announceChange()
    }

    // MARK: Recovery

    /// Tries that this server's local executor held when it last stopped were lost with it: their
    /// leftover processes are killed and they are retried (or failed when out of tries). Tries of
    /// remote workers go on (their workers report to whichever server answers), tries queued for any
    /// worker stay queued, and another server's own tries are its own.
    func recoverLostTries() async throws {
        for instance in try await store.unfinishedTries() {
            // A try with no worker predates workers (or is lost in its queue's wait): on SQLite,
            // where one server runs, it was this one's.
            let ours = instance.worker == configuration.workerName || (instance.worker == nil && instance.state != .queued && !sharesDatabase)
            guard ours else { continue }
            // Only groups of processes of this task: after a restart its recorded id may belong to
            // anything else, and it is not recorded at all when the server died just after the start.
            for group in ChildProcess.taskProcessGroups(dagID: instance.dagID, runID: instance.runID, taskID: instance.taskID) {
                kill(-group, SIGKILL)
            }
            let message = "the try was lost: Flowline stopped while it was \(instance.state?.rawValue ?? "active")"
            let retry = RetryPolicy.mayRetry(tryNumber: instance.tryNumber, maxTries: instance.maxTries)
            logger.warning("Task \(instance.taskID) of \(instance.dagID)/\(instance.runID): \(message); \(retry ? "retrying" : "failing") it")
            let target: TaskState = retry ? .upForRetry : .failed
            // queued → up_for_retry goes through the table like any other move.
            _ = try? await store.transition(instance, to: target) { next in
                next.message = message
                next.nextRetryAt = retry ? Date() : nil
                next.endDate = Date()
            }
            // Its log, left in this server's folder, goes to the archive like any ended try's.
            await archiveLogs(of: [instance])
        }
    }

    /// Makes this server's local executor a worker like the others (kind local), so that the
    /// workers page shows it and, on PostgreSQL, another server retries its tries if it dies.
    private func registerLocalExecutor() async throws {
        _ = try await store.registerWorker(
            configuration.workerName,
            kind: .local,
            hostname: ProcessInfo.processInfo.hostName,
            queues: configuration.localQueues,
            concurrency: configuration.localQueues.isEmpty ? 0 : configuration.parallelism,
            version: configuration.version,
            tokenName: nil
        )
    }

    static func key(_ instance: TaskInstance) -> String {
        "\(instance.dagID)\u{0}\(instance.runID)\u{0}\(instance.taskID)"
    }

    // MARK: Scheduling

    /// One scheduling pass: new scheduled runs, queued runs started, tasks decided and launched,
    /// finished runs closed.
    private func pass() async {
        do {
            let now = Date()
            defer { lastHeartbeat = Date() }
            // Pausing may come from another process (`flowline dags pause`): read at each rescan
            // and after a change heard of; this server's own pauses are recorded as they happen.
            if configuration.only == nil, pausedMayHaveChanged {
                paused = try await store.pausedDAGIDs()
                pausedMayHaveChanged = false
            }
            try await createScheduledRuns(now: now)
            let running = try await startQueuedRuns().filter { $0.state == .running }
            let instances = try await instances(of: running)
            var activeByDAG: [String: Int] = [:]
            for list in instances.values {
                for instance in list where instance.state == .queued || instance.state == .running { activeByDAG[instance.dagID, default: 0] += 1 }
            }
            for run in running where !endingByHand.contains(OrchestratorStore.runKey(dagID: run.dagID, runID: run.runID)) {
                try await schedule(
                    run,
                    instances: instances[OrchestratorStore.runKey(dagID: run.dagID, runID: run.runID)] ?? [],
                    activeByDAG: &activeByDAG,
                    now: now
                )
            }
            try await claimLocalWork(running: running)
            try await checkWorkers(now: now)
        } catch {
            logger.error("Scheduling pass failed: \(error)")
            arm(Date().addingTimeInterval(1))
        }
    }

    private func schedule(_ run: DagRun, instances: [TaskInstance], activeByDAG: inout [String: Int], now: Date) async throws {
        guard let dag = dags[run.dagID] else {
            // The DAG is gone (its file deleted before this start): the run cannot go on.
            for instance in instances where instance.state?.isFinished != true && instance.state?.isActive != true {
                _ = try? await store.transition(instance, to: .removed)
            }
            if !instances.contains(where: { $0.state?.isActive == true }) { _ = try await store.moveRun(run, to: .failed) }
            return
        }
        // Decide in memory, in dependency order until nothing changes (a settled task settles its
        // downstream in the same pass); then make every move in one transaction.
        var states = Dictionary(instances.map { ($0.taskID, $0.state) }, uniquingKeysWith: { first, _ in first })
        let byTask = Dictionary(instances.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
        var steps: [String: [OrchestratorStore.TaskStep]] = [:]
        var progressed = true
        while progressed {
            progressed = false
            for task in dag.tasks {
                guard byTask[task.taskID] != nil, let state = states[task.taskID] else { continue }
                switch state {
                case nil:
                    switch task.triggerRule.decide(upstream: task.upstream.map { states[$0] ?? nil }) {
                    case .wait:
                        continue
                    case .run:
                        steps[task.taskID, default: []].append(.init(.scheduled) { $0.tryNumber += 1 })
                        states[task.taskID] = .scheduled
                    case .settle(let settled):
                        let rule = task.triggerRule.rawValue
                        steps[task.taskID, default: []].append(.init(settled) { $0.message = "set by trigger rule \(rule)" })
                        states[task.taskID] = settled
                    }
                    progressed = true
                case .upForRetry?:
                    if let retryAt = byTask[task.taskID]?.nextRetryAt, retryAt > now {
                        arm(retryAt)
                        continue
                    }
                    steps[task.taskID, default: []].append(.init(.scheduled) { $0.tryNumber += 1 })
                    states[task.taskID] = .scheduled
                    progressed = true
                default:
                    continue
                }
            }
        }
        // Queue what is scheduled, within the DAG's limit, for the workers of its queue; sensors
        // wait here, holding no slot.
        var launching: Set<String> = []
        let workerName = configuration.workerName
        for task in dag.tasks where states[task.taskID] == .scheduled {
            let deferrable = OperatorCatalog.named(task.operatorName)?.isDeferrable ?? false
            let queue = task.queue
            if deferrable {
                steps[task.taskID, default: []].append(
                    .init(.queued) { next in
                        next.queue = queue
                        next.worker = workerName
                    }
                )
                launching.insert(task.taskID)
            } else {
                guard activeByDAG[dag.dagID, default: 0] < dag.maxActiveTasks else { continue }
                activeByDAG[dag.dagID, default: 0] += 1
                steps[task.taskID, default: []].append(.init(.queued) { $0.queue = queue })
                if configuration.localQueues.contains(queue) { localWorkWaiting = true }
            }
            states[task.taskID] = .queued
        }
        let moves = dag.tasks.compactMap { task -> (instance: TaskInstance, steps: [OrchestratorStore.TaskStep])? in
            guard let instance = byTask[task.taskID], let taskSteps = steps[task.taskID] else { return nil }
            return (instance, taskSteps)
        }
        let moved = try await store.transition(moves, now: now)
        var queuedForWorkers = false
        var current = byTask
        let runKey = OrchestratorStore.runKey(dagID: run.dagID, runID: run.runID)
        for (move, result) in zip(moves, moved) {
            let taskID = move.instance.taskID
            guard let result else {
                // Changed by someone else meanwhile: the next pass reads it again.
                stale.insert(runKey)
                continue
            }
            current[taskID] = result
            known[runKey]?[taskID] = result
            if result.state == .queued {
                if launching.contains(taskID) {
                    let signal = StopSignal()
                    inFlight[Self.key(result)] = (signal, false)
                    launches.append((result, run, dag, signal))
                } else {
                    queuedForWorkers = true
                }
            }
        }
        if queuedForWorkers { await announceQueuedWork() }
        try await closeIfDone(run, dag: dag, instances: Array(current.values))
    }

    /// A run whose tasks have all finished succeeds when its leaves did, else fails.
    private func closeIfDone(_ run: DagRun, dag: DAG, instances: [TaskInstance]) async throws {
        guard !instances.isEmpty, instances.allSatisfy({ $0.state?.isFinished == true }) else { return }
        let upstreamOfSomething = Set(dag.tasks.flatMap(\.upstream))
        let leaves = instances.filter { !upstreamOfSomething.contains($0.taskID) }
        let failed = leaves.contains { $0.state?.isFailureLike == true }
        let state: DagRunState = failed ? .failed : .success
        guard try await store.moveRun(run, to: state) != nil else {
            // Marked, cleared or closed elsewhere since it was read: read it again next pass.
            stale.insert(OrchestratorStore.runKey(dagID: run.dagID, runID: run.runID))
            return
        }
        logger.info("Run \(run.runID) of \(run.dagID) finished: \(state.rawValue)")
    }

    /// Moves queued runs to running while their DAG has room (max_active_runs) and is not paused.
    /// - Returns: the active runs, as they are once started.
    private func startQueuedRuns() async throws -> [DagRun] {
        let active = try await store.activeRuns()
        var started = false
        var runningCount: [String: Int] = [:]
        for run in active where run.state == .running { runningCount[run.dagID, default: 0] += 1 }
        for run in active where run.state == .queued {
            guard !paused.contains(run.dagID) else { continue }
            let limit = dags[run.dagID]?.maxActiveRuns ?? 16
            guard runningCount[run.dagID, default: 0] < limit else { continue }
            guard run.runAfter <= Date() else {
                arm(run.runAfter)
                continue
            }
            guard try await store.startRun(run) else { continue }
            runningCount[run.dagID, default: 0] += 1
            started = true
        }
        // Started runs have their start date now: read them as stored.
        return started ? try await store.activeRuns() : active
    }

    /// Creates the runs that schedules have made due (at most 10 per DAG per pass).
    private func createScheduledRuns(now: Date) async throws {
        for dag in dags.values where dag.schedule != nil && !paused.contains(dag.dagID) && configuration.only == nil {
            for _ in 0..<10 {
                guard let interval = try await nextScheduledInterval(dag, now: now) else { break }
                guard interval.end <= now else {
                    arm(interval.end)
                    break
                }
                let runID = "scheduled__\(DateText.format(interval.start))"
                do {
                    _ = try await store.createRun(
                        dag,
                        runID: runID,
                        runType: .scheduled,
                        logicalDate: interval.start,
                        dataInterval: interval,
                        runAfter: interval.end,
                        conf: [:],
                        params: dag.params(for: [:]).values,
                        triggeredBy: "timetable",
                        now: now
                    )
                    logger.info("Scheduled run \(runID) of \(dag.dagID)")
                } catch OrchestratorError.conflict {
                    break
                }
            }
        }
    }

    /// The next interval a scheduled run of `dag` should cover, if any (due or not).
    private func nextScheduledInterval(_ dag: DAG, now: Date) async throws -> DataInterval? {
        guard let schedule = dag.schedule else { return nil }
        let origin = dag.startDate ?? Self.defaultOrigin(now: now)
        let lastEnd = try await store.lastScheduledIntervalEnd(dagID: dag.dagID)
        var next: DataInterval?
        if case .once = schedule {
            next = lastEnd == nil ? DataInterval(start: origin, end: origin) : nil
        } else if dag.catchup {
            next = lastEnd.map { schedule.interval(startingAtOrAfter: $0) } ?? schedule.interval(startingAtOrAfter: origin)
        } else if let latest = schedule.latestCompleteInterval(before: now, origin: origin), latest.end > (lastEnd ?? .distantPast) {
            next = latest
        } else {
            next = schedule.interval(startingAtOrAfter: max(lastEnd ?? origin, origin))
        }
        guard let next else { return nil }
        if let endDate = dag.endDate, next.start > endDate { return nil }
        return next
    }

    /// The interval a DAG's next scheduled run will cover, for listings.
    private func upcomingInterval(_ dag: DAG) async -> DataInterval? {
        try? await nextScheduledInterval(dag, now: Date())
    }

    /// A schedule without a start date starts at the beginning of today (UTC).
    static func defaultOrigin(now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    private func arm(_ deadline: Date) {
        if nextDeadline.map({ deadline < $0 }) ?? true { nextDeadline = deadline }
    }
}
