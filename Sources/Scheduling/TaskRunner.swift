import Foundation
import JSON
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
    let executor: TryExecutor
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
            return await finish(running, task: task, run: run, failure: "cannot write the task log: \(error)", retryable: true, log: nil)
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
                workspace: folders.workspace(dagID: dag.dagID, runID: run.runID)
            )
        } catch {
            return await finish(running, task: task, run: run, failure: "cannot prepare the task: \(error)", retryable: true, log: log)
        }
        let store = store
        let result = await executor.run(workload, log: log, stop: stop) { pid in
            try? await store.recordProcess(pid, dagID: dag.dagID, runID: run.runID, taskID: task.taskID)
        }
        // Shutting down: the try is left as it is, and the next start retries it like a lost one.
        guard let result, !Task.isCancelled else { return nil }
        switch result {
        case .success(let xcoms):
            for (key, value) in xcoms.sorted(by: { $0.key < $1.key }) {
                do {
                    try await store.pushXCom(dagID: dag.dagID, runID: run.runID, taskID: task.taskID, key: key, value: value)
                } catch {
                    return await finish(running, task: task, run: run, failure: "\(error)", retryable: true, log: log)
                }
                log.write("Pushed XCom \(key): \(value.jsonText.prefix(200))")
            }
            log.write("Task succeeded")
            return await settle(running, to: .success, message: nil)
        case .skipped(let reason):
            log.write("Task skipped: \(reason)")
            return await settle(running, to: .skipped, message: reason)
        case .failed(let reason, let retryable):
            return await finish(running, task: task, run: run, failure: reason, retryable: retryable, log: log)
        }
    }

    /// Ends a failed try: up for retry while tries remain (and it was not stopped), else failed.
    private func finish(
        _ instance: TaskInstance,
        task: TaskDefinition,
        run: DagRun,
        failure: String,
        retryable: Bool,
        log: TaskLog?
    ) async -> TaskInstance? {
        log?.write("Task failed: \(failure)", level: .error)
        if retryable, RetryPolicy.mayRetry(tryNumber: instance.tryNumber, maxTries: instance.maxTries) {
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
        workspace: URL
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
        return TaskWorkload(
            dagID: dag.dagID,
            runID: run.runID,
            taskID: task.taskID,
            tryNumber: tryNumber,
            operatorName: task.operatorName,
            settings: task.arguments,
            environment: task.environment,
            executionTimeout: task.executionTimeout,
            owner: task.owner,
            templateContext: context,
            secrets: secrets.values,
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
