import Foundation
import JSON
import Logging

/// Where the orchestrator keeps files: the DAGs, task logs and run workspaces.
public struct OrchestratorFolders: Sendable {
    public var dags: URL
    public var logs: URL
    public var workspaces: URL
    /// The cached clones of the repositories project tasks use.
    public var repositories: URL

    /// - Parameter repositories: defaults to `cache/git` next to `workspaces`.
    public init(dags: URL, logs: URL, workspaces: URL, repositories: URL? = nil) {
        self.dags = dags
        self.logs = logs
        self.workspaces = workspaces
        self.repositories = repositories
            ?? workspaces.deletingLastPathComponent().appendingPathComponent("cache", isDirectory: true).appendingPathComponent("git", isDirectory: true)
    }

    /// Where the server prepares files for the workspaces (``WorkspaceFiles``): inside
    /// `workspaces`, so that moving them in is a rename, under a name no DAG id can have.
    public var staging: URL { workspaces.appendingPathComponent("+staging", isDirectory: true) }

    /// The workspace of a run: the working directory of its tasks.
    public func workspace(dagID: String, runID: String) -> URL {
        workspaces.appendingPathComponent(dagID, isDirectory: true).appendingPathComponent(TaskLog.safe(runID), isDirectory: true)
    }
}

/// Asks a running try to stop: for cancelled runs and tasks marked by hand.
public final class StopSignal: Sendable {
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stops the try, giving the reason for its log.
    public func stop(_ reason: String) {
        continuation.yield(reason)
    }

    /// Waits until stopped; returns the reason (or `nil` if the waiting task was cancelled).
    func wait() async -> String? {
        for await reason in stream { return reason }
        return nil
    }
}

/// Runs one try of a task: renders its templates, runs its operator with its timeout, writes its
/// log, and records how it ended (and its XCom).
struct TaskRunner: Sendable {
    let store: OrchestratorStore
    let folders: OrchestratorFolders
    let python: String
    let repositories: GitRepositoryCache
    /// What every task process gets of the server's environment (``TaskEnvironment``).
    let baseEnvironment: [String: String]
    let taskUser: TaskUser?
    let logger: Logger
    /// Also prints each log line (`flowline dags test`).
    let echo: (@Sendable (String) -> Void)?

    /// Runs `instance` (queued) of `run` to the end of its try.
    /// - Returns: the task instance as the try left it, or `nil` when someone else moved it
    ///   meanwhile (marked, cleared) or the try was left for recovery (shutdown).
    func run(_ instance: TaskInstance, of run: DagRun, dag: DAG, stop: StopSignal) async -> TaskInstance? {
        guard let task = dag.task(instance.taskID) else { return nil }
        let logURL = TaskLog.url(logsFolder: folders.logs, dagID: dag.dagID, runID: run.runID, taskID: task.taskID, tryNumber: instance.tryNumber)
        let running: TaskInstance
        do {
            running = try await store.transition(instance, to: .running)
        } catch {
            logger.debug("Task \(instance.taskID) of \(run.runID) was not started: \(error)")
            return nil
        }
        let log: TaskLog
        do {
            let prefix = "[\(task.taskID)] "
            var echoLine: (@Sendable (String) -> Void)?
            if let echo { echoLine = { line in echo(prefix + line) } }
            log = try TaskLog(url: logURL, echo: echoLine)
        } catch {
            return await finish(running, task: task, run: run, failure: "cannot write the task log: \(error)", log: nil)
        }
        log.write("Starting try \(running.tryNumber) of task '\(task.taskID)' (\(task.operatorName)) in run '\(run.runID)' of DAG '\(dag.dagID)'")
        let outcome: Result<TaskOutcome, TaskFailure>
        do {
            let context = try await context(for: running, task: task, run: run, dag: dag, log: log)
            outcome = await execute(task: task, context: context, stop: stop, log: log)
        } catch let error as TemplateError {
            outcome = .failure(TaskFailure(error.description))
        } catch {
            outcome = .failure(TaskFailure("cannot prepare the task: \(error)"))
        }
        // Shutting down: the try is left as it is, and the next start retries it like a lost one.
        if Task.isCancelled { return nil }
        switch outcome {
        case .success(.success(let xcom, let more)):
            var values = more
            if let xcom { values["return_value"] = xcom }
            // What a task printed is masked in its log; the XCom taken from it is masked alike.
            values = values.mapValues(log.masked)
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                do {
                    try await store.pushXCom(dagID: dag.dagID, runID: run.runID, taskID: task.taskID, key: key, value: value)
                } catch {
                    return await finish(running, task: task, run: run, failure: "\(error)", log: log)
                }
                log.write("Pushed XCom \(key): \(value.jsonText.prefix(200))")
            }
            log.write("Task succeeded")
            return await settle(running, to: .success, message: nil)
        case .success(.skipped(let reason)):
            log.write("Task skipped: \(reason)")
            return await settle(running, to: .skipped, message: reason)
        case .failure(let failure):
            return await finish(running, task: task, run: run, failure: failure.description, log: log)
        }
    }

    /// Runs the operator until it ends, its timeout passes, or it is stopped.
    private func execute(task: TaskDefinition, context: TaskRunContext, stop: StopSignal, log: TaskLog) async -> Result<TaskOutcome, TaskFailure> {
        guard let type = OperatorRegistry.named(task.operatorName) else { return .failure(TaskFailure("unknown operator '\(task.operatorName)'")) }
        enum Race: Sendable {
            case finished(Result<TaskOutcome, TaskFailure>)
            case timedOut
            case stopped(String)
        }
        return await withTaskGroup(of: Race?.self) { group in
            group.addTask {
                do {
                    return .finished(.success(try await type.run(context)))
                } catch let failure as TaskFailure {
                    return .finished(.failure(failure))
                } catch is CancellationError {
                    return nil
                } catch {
                    return .finished(.failure(TaskFailure("\(error)")))
                }
            }
            if let timeout = task.executionTimeout {
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                        return .timedOut
                    } catch {
                        return nil
                    }
                }
            }
            group.addTask { await stop.wait().map { .stopped($0) } }
            var result: Result<TaskOutcome, TaskFailure> = .failure(TaskFailure("the task was stopped"))
            while let next = await group.next() {
                guard let race = next else { continue }
                switch race {
                case .finished(let outcome):
                    result = outcome
                case .timedOut:
                    log.write("The task ran longer than its execution_timeout of \(DurationText.format(task.executionTimeout ?? .zero)); stopping it", level: .error)
                    result = .failure(TaskFailure("the task ran longer than its execution_timeout of \(DurationText.format(task.executionTimeout ?? .zero)) and was stopped"))
                case .stopped(let reason):
                    log.write("Stopping the task: \(reason)", level: .warning)
                    result = .failure(TaskFailure("stopped: \(reason)"))
                }
                // The first to end decides; the others are cancelled (a process is killed and
                // waited for before the group returns).
                group.cancelAll()
                break
            }
            return result
        }
    }

    /// Ends a failed try: up for retry while tries remain, else failed.
    private func finish(_ instance: TaskInstance, task: TaskDefinition, run: DagRun, failure: String, log: TaskLog?) async -> TaskInstance? {
        log?.write("Task failed: \(failure)", level: .error)
        if RetryPolicy.mayRetry(tryNumber: instance.tryNumber, maxTries: instance.maxTries), !failure.hasPrefix("stopped:") {
            let delay = RetryPolicy.delay(for: task, tryNumber: instance.tryNumber, dagID: run.dagID, runID: run.runID)
            log?.write("Retrying in \(DurationText.format(delay)) (try \(instance.tryNumber + 1) of \(instance.maxTries + 1))")
            // The retry comes `delay` after the try's recorded end.
            let end = Date()
            let retryAt = end.addingTimeInterval(delay.seconds)
            let moved = try? await store.transition(instance, to: .upForRetry) { next in
                next.nextRetryAt = retryAt
                next.message = failure
                next.endDate = end
            }
            return moved
        }
        return await settle(instance, to: .failed, message: failure)
    }

    private func settle(_ instance: TaskInstance, to state: TaskState, message: String?) async -> TaskInstance? {
        do {
            return try await store.transition(instance, to: state) { next in
                next.message = message
                next.endDate = Date()
            }
        } catch {
            // Someone marked or cleared the task meanwhile: their state stands.
            logger.debug("Task \(instance.taskID) of \(instance.runID) ended but was already moved: \(error)")
            return nil
        }
    }

    /// The try's context: rendered settings, environment and template variables.
    private func context(for instance: TaskInstance, task: TaskDefinition, run: DagRun, dag: DAG, log: TaskLog) async throws -> TaskRunContext {
        let workspace = folders.workspace(dagID: dag.dagID, runID: run.runID)
        if let taskUser {
            // The task user passes through the DAG's folder to the run's, which it owns.
            try Folders.ensure(workspace.deletingLastPathComponent(), permissions: 0o711)
            try Folders.ensure(workspace)
            try taskUser.handOver(workspace, recursively: false)
        } else {
            try Folders.ensure(workspace)
        }
        let rendered = try await TaskTemplates.render(task, of: dag, run: run, tryNumber: instance.tryNumber, store: store, workspace: workspace)
        log.mask(rendered.secrets)
        let templateContext = rendered.context
        let settings = rendered.settings
        var environment = baseEnvironment.merging(rendered.environment) { _, task in task }
        environment["FLOWLINE_WORKSPACE"] = workspace.path
        environment["FLOWLINE_DAG_ID"] = dag.dagID
        environment["FLOWLINE_RUN_ID"] = run.runID
        environment["FLOWLINE_TASK_ID"] = task.taskID
        environment["FLOWLINE_TRY_NUMBER"] = String(instance.tryNumber)
        environment["FLOWLINE_CONF"] = JSONValue.object(run.conf).jsonText
        let store = store
        return TaskRunContext(
            dagID: dag.dagID, runID: run.runID, taskID: task.taskID, tryNumber: instance.tryNumber, settings: settings,
            workspace: workspace, dagsFolder: folders.dags, environment: environment, templateContext: .object(templateContext),
            python: python, repositories: repositories, owner: task.owner, conf: run.conf, log: log, taskUser: taskUser, staging: folders.staging,
            processStarted: { pid in
                try? await store.recordProcess(pid, dagID: dag.dagID, runID: run.runID, taskID: task.taskID)
            }
        )
    }
}
