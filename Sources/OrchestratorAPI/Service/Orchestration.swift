public import Foundation
public import JSON
public import OrchestratorDatabase
public import Scheduling
public import TaskExecution
public import Workflow

/// What the REST API and the web UI may do to DAGs and runs, and where they read them: the one
/// owner of each action (trigger, pause, mark, clear, note, delete), carried out by the scheduler,
/// which stops and wakes what an action concerns. Both front ends hold this, never the scheduler.
public struct Orchestration: Sendable {
    /// Where runs, task instances, XComs, variables and users are read.
    public let store: OrchestratorStore
    private let scheduler: Scheduler
    /// The worker API's side of the server (``WorkerHub``).
    public let workers: WorkerHub

    public init(scheduler: Scheduler, heartbeatInterval: Duration = .seconds(5)) {
        self.scheduler = scheduler
        self.store = scheduler.store
        workers = WorkerHub(scheduler: scheduler, heartbeatInterval: heartbeatInterval)
    }

    /// The folders of DAGs, logs and workspaces.
    public var folders: OrchestratorFolders { scheduler.configuration.folders }

    /// How long a worker may stay silent before it is offline and its tries are retried elsewhere.
    public var workerTimeout: Duration { scheduler.configuration.workerTimeout }

    /// When the scheduler last finished a pass.
    public var lastHeartbeat: Date? {
        get async { await scheduler.lastHeartbeat }
    }

    /// Returns once the scheduler has loaded the DAGs and recovered the tries a stop left.
    public func waitUntilStarted() async {
        await scheduler.waitUntilStarted()
    }

    /// The DAG `dagID` as its file was last loaded.
    /// - Throws: ``OrchestratorError/notFound(_:)``.
    public func dag(_ dagID: String) async throws(OrchestratorError) -> DAG {
        try await scheduler.dag(dagID)
    }

    /// Triggers a run (see `Scheduler.trigger`).
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
        try await scheduler.trigger(
            dagID,
            runID: runID,
            conf: conf,
            logicalDate: logicalDate,
            dataInterval: dataInterval,
            triggeredBy: triggeredBy,
            user: user,
            note: note
        )
    }

    public func setPaused(_ dagID: String, _ isPaused: Bool) async throws {
        try await scheduler.setPaused(dagID, isPaused)
    }

    /// Ends (or queues again) a run by hand.
    public func setRunState(dagID: String, runID: String, to state: DagRunState) async throws -> DagRun {
        try await scheduler.setRunState(dagID: dagID, runID: runID, to: state)
    }

    /// Marks one task by hand, stopping it if it runs.
    public func setTaskState(dagID: String, runID: String, taskID: String, to state: TaskState) async throws -> TaskInstance {
        try await scheduler.setTaskState(dagID: dagID, runID: runID, taskID: taskID, to: state)
    }

    /// Clears tasks so they run again; with `dryRun`, lists exactly what clearing would clear.
    public func clear(
        dagID: String,
        runID: String,
        taskIDs: [String],
        includeDownstream: Bool,
        onlyFailed: Bool = false,
        dryRun: Bool = false
    ) async throws -> [TaskInstance] {
        try await scheduler.clear(
            dagID: dagID,
            runID: runID,
            taskIDs: taskIDs,
            includeDownstream: includeDownstream,
            onlyFailed: onlyFailed,
            dryRun: dryRun
        )
    }

    public func setRunNote(dagID: String, runID: String, note: String) async throws -> DagRun {
        try await scheduler.setRunNote(dagID: dagID, runID: runID, note: note)
    }

    public func setTaskNote(dagID: String, runID: String, taskID: String, note: String) async throws -> TaskInstance {
        try await scheduler.setTaskNote(dagID: dagID, runID: runID, taskID: taskID, note: note)
    }

    /// Deletes a run that is not running.
    public func deleteRun(dagID: String, runID: String) async throws {
        try await scheduler.deleteRun(dagID: dagID, runID: runID)
    }

    /// A task instance's rendered templates, Variables masked for `role` below op.
    public func renderedFields(dagID: String, runID: String, taskID: String, for role: Role) async -> Result<[String: JSONValue], TemplateError> {
        await scheduler.renderedFields(dagID: dagID, runID: runID, taskID: taskID, for: role)
    }
}
