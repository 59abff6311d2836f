import Foundation
import JSON
import Lineage
public import Logging
public import ServiceLifecycle
import TaskExecution
import Workflow

/// `flowline worker`: registers with the servers, heartbeats, long-polls for tries of its queues,
/// runs each with the same task code as a server's local executor (``TryExecutor``), streams its
/// log and reports how it ended, in batches. On graceful shutdown (SIGTERM) it drains: it takes no
/// new tries, finishes and reports those it has, says goodbye and returns. In maintenance (set from
/// the UI or API) it does the same but stays registered.
public actor Worker: Service {
    public nonisolated let configuration: WorkerConfiguration
    private let logger: Logger
    private let client: WorkerServerClient
    private let executor: TryExecutor
    /// Tries running here, by lease, with what stops them.
    private var running: [String: StopSignal] = [:]
    private var maintenance = false
    private var draining = false
    /// Wakes the fetch loop: a slot freed, maintenance changed, draining began.
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation
    /// Reports waiting to be sent, with who waits for each.
    private var pendingReports: [(body: JSONValue, done: CheckedContinuation<Void, Never>)] = []
    private let reportsWaiting: AsyncStream<Void>
    private let reportWake: AsyncStream<Void>.Continuation
    private var heartbeatInterval: Duration = .seconds(5)
    /// Counters for tests and logs.
    public private(set) var finishedTries = 0

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        client = WorkerServerClient(servers: configuration.servers, token: configuration.token, name: configuration.name)
        executor = TryExecutor(
            folders: configuration.folders,
            python: configuration.python,
            repositories: GitRepositoryCache(folder: configuration.folders.repositories),
            baseEnvironment: configuration.taskEnvironment.base(from: ProcessInfo.processInfo.environment)
                .merging([Lineage.Environment.worker: configuration.name]) { _, worker in worker },
            taskUser: nil
        )
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (reportsWaiting, reportWake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Works until drained (graceful shutdown) or cancelled.
    /// - Throws: ``WorkerServerClient/Failure/unauthorized(_:)`` when the token is refused.
    public func run() async throws {
        defer { Task { [client] in await client.shutdown() } }
        stopLeftovers()
        try await register()
        logger.info(
            "Worker \(configuration.name) registered with \(configuration.servers.map(\.absoluteString).joined(separator: ", ")); queues \(configuration.queues.joined(separator: ",")), \(configuration.concurrency) slots"
        )
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await self.heartbeats() }
                group.addTask { await self.sendReports() }
                while !draining, !Task.isCancelled {
                    let free = configuration.concurrency - running.count
                    guard free > 0, !maintenance else {
                        await nextChange(within: .seconds(1))
                        continue
                    }
                    let jobs: [JSONValue]
                    do {
                        jobs = try await fetch(free)
                    } catch WorkerServerClient.Failure.unavailable(let problem) {
                        logger.warning("Cannot fetch work: \(problem); retrying")
                        await nextChange(within: .seconds(1))
                        continue
                    } catch WorkerServerClient.Failure.refused(let status, _) where status == 404 {
                        logger.warning("The server took this worker for offline; registering again")
                        try await register()
                        continue
                    }
                    for job in jobs {
                        guard let lease = job["lease"]?.string else { continue }
                        let stop = StopSignal()
                        running[lease] = stop
                        group.addTask { await self.runTry(job, lease: lease, stop: stop) }
                    }
                }
                while !running.isEmpty { await nextChange(within: .seconds(1)) }
                // Drained: say goodbye, then end the heartbeats and the report sender.
                _ = try? await client.call("PATCH", "worker/\(configuration.name)", body: heartbeatBody(state: "stopped"))
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await self.drain() }
        }
        logger.info("Worker \(configuration.name) stopped after \(finishedTries) tries")
    }

    /// Takes no new tries; ``run()`` returns once those it has are reported.
    public func drain() {
        guard !draining else { return }
        draining = true
        logger.info("Draining: finishing \(running.count) running tries, taking no new ones")
        changed.yield()
    }

    /// Kills what tries of an earlier life of this worker (`kill -9`, a crash) left running on this
    /// machine: processes tagged with its name. The server retries those tries when it registers.
    private func stopLeftovers() {
        let groups = ChildProcess.processGroups(withEnvironment: ["\(Lineage.Environment.worker)=\(configuration.name)"])
        guard !groups.isEmpty else { return }
        logger.warning("Stopping \(groups.count) process groups that an earlier run of worker \(configuration.name) left")
        for group in groups { kill(-group, SIGKILL) }
    }

    private func nextChange(within timeout: Duration) async {
        let changes = changes
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in changes { return }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: Talking to the server

    private func register() async throws {
        var delay = Duration.milliseconds(200)
        while true {
            do {
                let answer = try await client.call(
                    "POST",
                    "worker/\(configuration.name)",
                    body: .object([
                        "hostname": .string(configuration.hostname), "queues": .array(configuration.queues.map { .string($0) }),
                        "concurrency": .integer(configuration.concurrency), "version": .string(configuration.version),
                    ])
                )
                if let seconds = answer["heartbeat_interval"]?.double, seconds > 0 { heartbeatInterval = .milliseconds(Int64(seconds * 1000)) }
                return
            } catch WorkerServerClient.Failure.unavailable(let problem) {
                logger.warning("Cannot register: \(problem); retrying in \(delay)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func heartbeatBody(state: String) -> JSONValue {
        .object(["state": .string(state), "leases": .array(running.keys.sorted().map { .string($0) })])
    }

    /// Heartbeats until cancelled: each tells the server which tries run here, and hears which to
    /// stop (taken back, marked or cleared) and whether to take new ones.
    private func heartbeats() async throws {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: heartbeatInterval)
            } catch {
                return
            }
            let state = draining || maintenance ? "maintenance" : (running.isEmpty ? "idle" : "running")
            do {
                let answer = try await client.call("PATCH", "worker/\(configuration.name)", body: heartbeatBody(state: state))
                setMaintenance(answer["maintenance"] == .bool(true))
                if case .array(let leases)? = answer["stop"] {
                    for lease in leases.compactMap(\.string) {
                        running[lease]?.stop(
                            "the server no longer gives this try to this worker (marked, cleared, or retried elsewhere after a lost heartbeat)"
                        )
                    }
                }
            } catch WorkerServerClient.Failure.refused(let status, _) where status == 404 {
                logger.warning("The server forgot this worker; registering again")
                try await register()
            } catch WorkerServerClient.Failure.unavailable(let problem) {
                logger.warning("Heartbeat failed: \(problem)")
            } catch let failure as WorkerServerClient.Failure {
                if case .unauthorized = failure { throw failure }
                logger.warning("Heartbeat refused: \(failure)")
            } catch {
                // Cancelled: the worker is stopping.
                return
            }
        }
    }

    private func setMaintenance(_ on: Bool) {
        guard on != maintenance else { return }
        maintenance = on
        logger.notice(on ? "Maintenance: taking no new tries" : "Maintenance over: taking tries again")
        changed.yield()
    }

    private func fetch(_ slots: Int) async throws -> [JSONValue] {
        let answer = try await client.call(
            "POST",
            "jobs/fetch/\(configuration.name)",
            body: .object([
                "queues": .array(configuration.queues.map { .string($0) }), "free_slots": .integer(slots),
                "wait": .double(configuration.fetchWait.seconds),
            ]),
            long: true
        )
        guard case .array(let jobs)? = answer["jobs"] else { return [] }
        return jobs
    }

    // MARK: Running a try

    private func runTry(_ job: JSONValue, lease: String, stop: StopSignal) async {
        defer {
            running.removeValue(forKey: lease)
            finishedTries += 1
            changed.yield()
        }
        let workload: TaskWorkload
        do {
            workload = try TaskWorkload(json: job["workload"] ?? .null)
        } catch {
            logger.error("The server sent a workload this worker cannot read: \(error)")
            return
        }
        let fence: [String: JSONValue] = [
            "dag_id": .string(workload.dagID), "run_id": .string(workload.runID), "task_id": .string(workload.taskID),
            "try_number": .integer(workload.tryNumber), "lease": .string(lease),
        ]
        let shipper = LogShipper(client: client, fence: fence)
        let result: TryResult
        do {
            let url = TaskLog.url(
                logsFolder: configuration.folders.logs,
                dagID: workload.dagID,
                runID: workload.runID,
                taskID: workload.taskID,
                tryNumber: workload.tryNumber
            )
            let log = try TaskLog(url: url) { line in shipper.add(line) }
            log.write(
                "Starting try \(workload.tryNumber) of task '\(workload.taskID)' (\(workload.operatorName)) in run '\(workload.runID)' of DAG '\(workload.dagID)' on worker '\(configuration.name)'"
            )
            result = await withTaskGroup(of: TryResult?.self) { group in
                var executor = executor
                executor.data = RemoteTaskData(client: client, lease: lease)
                group.addTask { [executor] in await executor.run(workload, log: log, stop: stop) { _ in } }
                group.addTask { [interval = configuration.logInterval] in
                    // Ship the log while the try runs; a refused push means the try is no longer ours.
                    // A push under way is not cancelled when the try ends: the server may have
                    // written it already, and its lines would then be sent twice.
                    while true {
                        do {
                            try await Task.sleep(for: interval)
                        } catch {
                            // The try ended: what is left goes with its report.
                            return nil
                        }
                        do {
                            try await Task { try await shipper.flush() }.value
                        } catch let failure as WorkerServerClient.Failure {
                            stop.stop("the server refused its log: \(failure)")
                        } catch {
                            return nil
                        }
                    }
                }
                var outcome: TryResult?
                for await next in group {
                    if let next {
                        outcome = next
                        group.cancelAll()
                    }
                }
                return outcome ?? .failed(reason: "the worker stopped during the try", retryable: true)
            }
        } catch {
            result = .failed(reason: "cannot write the task log on worker '\(configuration.name)': \(error)", retryable: true)
        }
        var body = fence
        body["result"] = result.json
        // The lines not pushed yet go with the report when they fit, else in pushes first.
        var tail = shipper.takeForReport()
        if tail == nil {
            try? await shipper.flush()
            tail = shipper.takeForReport()
        }
        if let tail, !tail.isEmpty { body["log"] = .string(tail) }
        await report(.object(body))
    }

    /// Queues a report for the next batch and returns once the server has answered it.
    private func report(_ body: JSONValue) async {
        await withCheckedContinuation { continuation in
            pendingReports.append((body, continuation))
            reportWake.yield()
        }
    }

    /// Sends the reports waiting, in batches (one database transaction on the server each), until
    /// cancelled; a batch that finds no server is sent again.
    private func sendReports() async {
        var delay = Duration.milliseconds(100)
        for await _ in reportsWaiting {
            while !pendingReports.isEmpty {
                let batch = Array(pendingReports.prefix(256))
                do {
                    let answer = try await client.call(
                        "POST",
                        "jobs/states/\(configuration.name)",
                        body: .object(["reports": .array(batch.map(\.body))])
                    )
                    if case .array(let results)? = answer["results"] {
                        for (item, result) in zip(batch, results) where result["accepted"] == .bool(false) {
                            logger.warning(
                                "The server refused the end of \(item.body["task_id"]?.string ?? "?") try \(item.body["try_number"]?.int ?? 0): \(result["reason"]?.string ?? "")"
                            )
                        }
                    }
                    delay = .milliseconds(100)
                } catch WorkerServerClient.Failure.unavailable(let problem) {
                    logger.warning("Cannot report \(batch.count) tries: \(problem); retrying in \(delay)")
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                    if Task.isCancelled { return }
                    continue
                } catch {
                    logger.error("The server refused \(batch.count) reports: \(error)")
                }
                pendingReports.removeFirst(batch.count)
                for item in batch { item.done.resume() }
            }
        }
    }
}
