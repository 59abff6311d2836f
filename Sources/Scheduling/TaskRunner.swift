import Foundation
import JSON
import Lineage
import Logging
import OrchestratorDatabase
import RunStorage
import TaskExecution
import Workflow

/// The scheduler's side of one try: moves the task instance to running, describes the try as a
/// ``TaskWorkload``, hands it to the task side (``TryExecutor``), and records how it ended: XComs,
/// the state, and a retry while tries remain.
struct TaskRunner: Sendable {
    let store: OrchestratorStore
    let folders: OrchestratorFolders
    /// Where the tasks' outputs are, to resolve a try's inputs.
    let runStorage: any RunStorage
    /// Issues each try's tracking token, when the tracking server wants logins.
    let trackingTokens: TrackingTokenIssuer?
    let executor: TryExecutor
    let logger: Logger
    /// Also prints each log line (`flowline dags test`).
    let echo: (@Sendable (String) -> Void)?

    /// Runs `instance` of `run` to the end of its try: claimed (running) by this server's local
    /// executor, or queued (a sensor, which holds no slot).
    /// - Returns: the task instance as the try left it, or `nil` when someone else moved it
    ///   meanwhile (marked, cleared) or the try was left for recovery (shutdown).
    func run(_ instance: TaskInstance, of run: DagRun, dag: DAG, stop: StopSignal) async -> TaskInstance? {
        guard let task = dag.task(instance.taskID) else { return nil }
        let logURL = TaskLog.url(logsFolder: folders.logs, dagID: dag.dagID, runID: run.runID, taskID: task.taskID, tryNumber: instance.tryNumber)
        var running = instance
        if instance.state == .queued {
            do {
                running = try await store.transition(instance, to: .running)
            } catch {
                logger.debug("Task \(instance.taskID) of \(run.runID) was not started: \(error)")
                return nil
            }
        }
        let log: TaskLog
        do {
            let prefix = "[\(task.taskID)] "
            var echoLine: (@Sendable (String) -> Void)?
            if let echo { echoLine = { line in echo(prefix + line) } }
            log = try TaskLog(url: logURL, echo: echoLine)
        } catch {
            return await end(running, task: task, result: .failed(reason: "cannot write the task log: \(error)", retryable: true), log: nil)
        }
        log.write("Starting try \(running.tryNumber) of task '\(task.taskID)' (\(task.operatorName)) in run '\(run.runID)' of DAG '\(dag.dagID)'")
        let workload: TaskWorkload
        do {
            workload = try await Self.workload(
                task,
                of: dag,
                run: run,
                tryNumber: running.tryNumber,
                store: store,
                runStorage: runStorage,
                workspace: folders.workspace(dagID: dag.dagID, runID: run.runID),
                trackingTokens: trackingTokens
            )
        } catch {
            return await end(running, task: task, result: .failed(reason: "cannot prepare the task: \(error)", retryable: true), log: log)
        }
        let store = store
        let result = await executor.run(workload, log: log, stop: stop) { pid in
            try? await store.recordProcess(pid, dagID: dag.dagID, runID: run.runID, taskID: task.taskID)
        }
        // Shutting down: the try is left as it is, and the next start retries it like a lost one.
        guard let result, !Task.isCancelled else { return nil }
        return await end(running, task: task, result: result, log: log)
    }

    /// Records how a try ended (``OrchestratorStore/TryEnding/after(_:of:task:now:)``).
    private func end(_ instance: TaskInstance, task: TaskDefinition, result: TryResult, log: TaskLog?) async -> TaskInstance? {
        var (ending, lines) = OrchestratorStore.TryEnding.after(result, of: instance, task: task)
        do {
            let ended = try await store.endTries([ending]).first ?? nil
            for line in lines { log?.write(line.text, level: line.level) }
            return ended
        } catch OrchestratorError.invalid(let problem) {
            // An XCom too large: the try fails like any other.
            (ending, lines) = OrchestratorStore.TryEnding.failure(problem, retryable: true, of: instance, task: task)
            for line in lines { log?.write(line.text, level: line.level) }
            return (try? await store.endTries([ending]).first) ?? nil
        } catch {
            // Someone marked or cleared the task meanwhile, or the database failed: their state stands.
            logger.debug("Task \(instance.taskID) of \(instance.runID) ended but was not recorded: \(error)")
            return nil
        }
    }
}

// MARK: Describing a try

extension TaskRunner {
    /// The workload of try `tryNumber` of `task` in `run`: the DAG's settings, the template
    /// context with what the store holds (XComs and Variables, read only when the task's templates
    /// or context can see them), its outputs, and its inputs as `runStorage` holds them.
    static func workload(
        _ task: TaskDefinition,
        of dag: DAG,
        run: DagRun,
        tryNumber: Int,
        store: OrchestratorStore,
        runStorage: any RunStorage,
        workspace: URL,
        trackingTokens: TrackingTokenIssuer? = nil
    ) async throws -> TaskWorkload {
        let (context, secrets) = try await templateContext(
            task,
            of: dag,
            run: run,
            tryNumber: tryNumber,
            store: store,
            workspace: workspace,
            maskVariables: false
        )
        var environment = task.environment
        var hidden = secrets.values
        // A token of the try's own for the stack's tracking server (the Variable `tracking_uri`),
        // never a user's password; logs hide it. The task side drops it when the task talks to
        // another server, and a task that brings credentials of its own keeps them.
        let ownCredentials = [Lineage.Environment.trackingToken, "MLFLOW_TRACKING_USERNAME"].contains { environment[$0] != nil }
        if let trackingTokens, !ownCredentials, let stackTracking = try? await store.variable("tracking_uri").value, !stackTracking.isEmpty,
            let token = try await trackingTokens(dag.dagID, run.runID, task.taskID, task.executionTimeout)
        {
            environment[Lineage.Environment.trackingToken] = token
            environment[Lineage.Environment.trackingTokenAudience] = stackTracking
            hidden.append(token)
        }
        return TaskWorkload(
            dagID: dag.dagID,
            runID: run.runID,
            taskID: task.taskID,
            tryNumber: tryNumber,
            operatorName: task.operatorName,
            settings: task.arguments,
            environment: environment,
            executionTimeout: task.executionTimeout,
            owner: task.owner,
            templateContext: context,
            secrets: hidden,
            outputs: task.outputs,
            inputs: try await TaskInputResolver.resolve(task, of: dag, runID: run.runID, storage: runStorage)
        )
    }

    /// The variables `task`'s templates see in `run`, and the Variable values to hide.
    /// - Parameter maskVariables: show every Variable as ``TaskTemplates/maskedVariable`` (for
    ///   callers who may not read Variables).
    static func templateContext(
        _ task: TaskDefinition,
        of dag: DAG,
        run: DagRun,
        tryNumber: Int,
        store: OrchestratorStore,
        workspace: URL,
        maskVariables: Bool
    ) async throws -> (context: [String: JSONValue], secrets: SecretMask) {
        let readsContext = TaskTemplates.readsContext(task)
        let xcoms = readsContext ? try await store.xcoms(dagID: dag.dagID, runID: run.runID) : [:]
        let records = readsContext ? try await store.variables() : []
        let secrets = SecretMask(variables: Dictionary(records.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        let variables = Dictionary(
            records.map { ($0.key, JSONValue.string(maskVariables ? TaskTemplates.maskedVariable : $0.value)) },
            uniquingKeysWith: { $1 }
        )
        let context = TemplateContext.make(
            dag: dag,
            task: task,
            run: run,
            tryNumber: tryNumber,
            xcoms: xcoms,
            variables: variables,
            workspace: workspace
        )
        return (context, secrets)
    }
}

/// Issues the tracking token of a try of task `taskID` in run `runID` of DAG `dagID`, valid at
/// least for its `timeout` (`nil`: none set).
public typealias TrackingTokenIssuer = @Sendable (_ dagID: String, _ runID: String, _ taskID: String, _ timeout: Duration?) async throws -> String?
