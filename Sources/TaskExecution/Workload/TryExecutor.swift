import Foundation
import JSON
import Lineage
import RunStorage
import Workflow

#if canImport(Glibc)
import Glibc
#endif

/// Runs one ``TaskWorkload`` on this machine: prepares the run's workspace, renders the task's
/// templates, runs its operator until it ends, its `execution_timeout` passes or it is stopped,
/// and answers how it ended. It knows no database and no scheduler.
public struct TryExecutor: Sendable {
    public var folders: OrchestratorFolders
    /// The interpreter for python tasks.
    public var python: String
    public var repositories: GitRepositoryCache
    /// What every task process gets of this machine's environment (``TaskEnvironment``).
    public var baseEnvironment: [String: String]
    /// The OS user task processes run as (`--task-user`), if not this process's.
    public var taskUser: TaskUser?
    /// Where the tries' inputs come from and their outputs go; `nil`: a try that declares
    /// inputs or outputs fails.
    public var data: (any TaskDataTransfer)?

    public init(
        folders: OrchestratorFolders,
        python: String,
        repositories: GitRepositoryCache,
        baseEnvironment: [String: String],
        taskUser: TaskUser?,
        data: (any TaskDataTransfer)? = nil
    ) {
        self.folders = folders
        self.python = python
        self.repositories = repositories
        self.baseEnvironment = baseEnvironment
        self.taskUser = taskUser
        self.data = data
    }

    /// Runs `workload`, writing to `log`.
    /// - Parameters:
    ///   - stop: stops the try (a run cancelled, a task marked by hand); it then fails, not retryable.
    ///   - processStarted: told the process id of a try that runs a program.
    /// - Returns: how the try ended, or `nil` when the calling task was cancelled (shutdown): the
    ///   try is then left as it is, for the next start to recover.
    public func run(
        _ workload: TaskWorkload,
        log: TaskLog,
        stop: StopSignal,
        processStarted: @escaping @Sendable (Int) async -> Void
    ) async -> TryResult? {
        log.mask(SecretMask(values: workload.secrets))
        let outcome: Result<TaskOutcome, TaskFailure>
        do {
            let context = try context(for: workload, log: log, processStarted: processStarted)
            outcome = await execute(workload, context: context, stop: stop, log: log)
        } catch let error as TemplateError {
            outcome = .failure(TaskFailure(error.description))
        } catch {
            outcome = .failure(TaskFailure("cannot prepare the task: \(error)"))
        }
        if Task.isCancelled { return nil }
        switch outcome {
        case .success(.success(let xcom, let more)):
            var values = more
            if let xcom { values["return_value"] = xcom }
            // What a task printed is masked in its log; the XCom taken from it is masked alike.
            return .success(xcoms: values.mapValues(log.masked))
        case .success(.skipped(let reason)):
            return .skipped(reason: reason)
        case .failure(let failure):
            return .failed(reason: failure.description, retryable: !failure.stopped)
        }
    }

    /// Runs the operator until it ends, its timeout passes, or it is stopped.
    private func execute(_ workload: TaskWorkload, context: TaskRunContext, stop: StopSignal, log: TaskLog) async -> Result<TaskOutcome, TaskFailure>
    {
        guard let type = OperatorRegistry.named(workload.operatorName) else {
            return .failure(TaskFailure("unknown operator '\(workload.operatorName)'"))
        }
        enum Race: Sendable {
            case finished(Result<TaskOutcome, TaskFailure>)
            case timedOut
            case stopped(String)
        }
        return await withTaskGroup(of: Race?.self) { group in
            group.addTask {
                do {
                    try await fetchInputs(of: workload, context: context)
                    let outcome = try await type.run(context)
                    if case .success = outcome { try await storeOutputs(of: workload, context: context) }
                    return .finished(.success(outcome))
                } catch let failure as TaskFailure {
                    return .finished(.failure(failure))
                } catch is CancellationError {
                    return nil
                } catch {
                    return .finished(.failure(TaskFailure("\(error)")))
                }
            }
            if let timeout = workload.executionTimeout {
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
            var result: Result<TaskOutcome, TaskFailure> = .failure(TaskFailure("the task was stopped", stopped: true))
            while let next = await group.next() {
                guard let race = next else { continue }
                let limit = DurationText.format(workload.executionTimeout ?? .zero)
                switch race {
                case .finished(let outcome):
                    result = outcome
                case .timedOut:
                    log.write("The task ran longer than its execution_timeout of \(limit); stopping it", level: .error)
                    result = .failure(TaskFailure("the task ran longer than its execution_timeout of \(limit) and was stopped"))
                case .stopped(let reason):
                    log.write("Stopping the task: \(reason)", level: .warning)
                    result = .failure(TaskFailure("stopped: \(reason)", stopped: true))
                }
                // The first to end decides; the others are cancelled (a process is killed and
                // waited for before the group returns).
                group.cancelAll()
                break
            }
            return result
        }
    }

    /// Fetches the workload's inputs into the workspace.
    /// - Throws: ``TaskFailure`` naming the input that could not be fetched.
    private func fetchInputs(of workload: TaskWorkload, context: TaskRunContext) async throws {
        guard !workload.inputs.isEmpty else { return }
        guard let data else { throw TaskFailure("this executor has no run storage, so it cannot fetch the task's inputs") }
        let workspace = WorkspaceData(files: context.files)
        for input in workload.inputs {
            try Task.checkCancellation()
            do {
                let contents = try await data.fetch(input, for: workload)
                try await workspace.write(contents.chunks, size: contents.size, to: input.path)
                context.log.write("Fetched input \(input.path) from task '\(input.from)' (\(contents.size) bytes)")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw TaskFailure("cannot fetch the input '\(input.path)' from task '\(input.from)': \(error)")
            }
        }
    }

    /// Stores the workload's declared outputs from the workspace, replacing earlier tries'.
    /// - Throws: ``TaskFailure`` naming the output that is missing or could not be stored.
    private func storeOutputs(of workload: TaskWorkload, context: TaskRunContext) async throws {
        guard !workload.outputs.isEmpty else { return }
        guard let data else { throw TaskFailure("this executor has no run storage, so it cannot store the task's outputs") }
        let workspace = WorkspaceData(files: context.files)
        var files: [(path: String, declared: String)] = []
        for declared in workload.outputs {
            files += try workspace.outputFiles(declared).map { ($0, declared) }
        }
        // Every output is checked before anything is replaced: a try missing one stores nothing.
        for file in files { close(try workspace.openFile(file.path, declared: file.declared).descriptor) }
        do {
            try await data.clearOutputs(of: workload)
        } catch {
            throw TaskFailure("cannot replace the task's stored outputs: \(error)")
        }
        for file in files {
            try Task.checkCancellation()
            let (descriptor, size) = try workspace.openFile(file.path, declared: file.declared)
            do {
                try await data.store(file.path, size: size, chunks: .reading(descriptor: descriptor), for: workload)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw TaskFailure("cannot store the output '\(file.path)': \(error)")
            }
            context.log.write("Stored output \(file.path) (\(size) bytes)")
        }
    }

    /// The try's context: its workspace, rendered settings and environment.
    private func context(for workload: TaskWorkload, log: TaskLog, processStarted: @escaping @Sendable (Int) async -> Void) throws -> TaskRunContext {
        let workspace = folders.workspace(dagID: workload.dagID, runID: workload.runID)
        if let taskUser {
            // The task user passes through the DAG's folder to the run's, which it owns.
            try Folders.ensure(workspace.deletingLastPathComponent(), permissions: 0o711)
            try Folders.ensure(workspace)
            try taskUser.handOver(workspace, recursively: false)
        } else {
            try Folders.ensure(workspace)
        }
        var templateContext = workload.templateContext
        templateContext["workspace"] = .string(workspace.path)
        let rendered = try TaskTemplates.render(
            settings: workload.settings,
            environment: workload.environment,
            operatorName: workload.operatorName,
            context: templateContext
        )
        var environment = baseEnvironment.merging(rendered.environment) { _, task in task }
        // The try's tracking token goes to the server it was issued for, never to another one.
        if let uri = environment[Lineage.Environment.trackingURI], !Lineage.Environment.tokenMayGo(to: uri, environment: environment) {
            environment[Lineage.Environment.trackingToken] = nil
        }
        environment[Lineage.Environment.workspace] = workspace.path
        environment[Lineage.Environment.dagID] = workload.dagID
        environment[Lineage.Environment.runID] = workload.runID
        environment[Lineage.Environment.taskID] = workload.taskID
        environment[Lineage.Environment.tryNumber] = String(workload.tryNumber)
        environment[Lineage.Environment.conf] = JSONValue.object(workload.conf).jsonText
        environment[Lineage.Environment.params] = JSONValue.object(workload.params).jsonText
        return TaskRunContext(
            dagID: workload.dagID,
            runID: workload.runID,
            taskID: workload.taskID,
            tryNumber: workload.tryNumber,
            settings: rendered.settings,
            workspace: workspace,
            dagsFolder: folders.dags,
            environment: environment,
            templateContext: .object(templateContext),
            python: python,
            repositories: repositories,
            owner: workload.owner,
            conf: workload.conf,
            params: workload.params,
            log: log,
            taskUser: taskUser,
            staging: folders.staging,
            processStarted: processStarted
        )
    }
}
