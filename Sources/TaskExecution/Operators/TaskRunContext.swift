public import Foundation
public import JSON

/// Everything one try of a task gets.
public struct TaskRunContext: Sendable {
    public var dagID: String
    public var runID: String
    public var taskID: String
    public var tryNumber: Int
    /// The task's settings, with every string rendered as a template.
    public var settings: [String: JSONValue]
    /// The run's workspace folder: the working directory of the task's process.
    public var workspace: URL
    /// The DAGs folder, which relative script paths start from.
    public var dagsFolder: URL
    /// The process environment for child processes (the task's `env` and `FLOWLINE_*`).
    public var environment: [String: String]
    /// The template context as JSON, given to python tasks.
    public var templateContext: JSONValue
    /// The interpreter for python tasks.
    public var python: String
    /// The cached clones of model repositories (project tasks).
    public var repositories: GitRepositoryCache
    /// The task's owner, for the tracking runs it starts.
    public var owner: String
    /// The run's configuration, as the trigger gave it.
    public var conf: [String: JSONValue]
    /// The run's params: its conf over the DAG's defaults.
    public var params: [String: JSONValue]
    /// The try's log.
    public var log: TaskLog
    /// The OS user the try's processes run as (`--task-user`), if not the server's.
    public var taskUser: TaskUser?
    /// A folder only the server reaches, where it prepares what it puts into the workspace.
    public var staging: URL
    /// Records the process id of a try that runs a program, so a restarted server can stop it.
    public var processStarted: @Sendable (Int) async -> Void

    /// Puts files and folders into the workspace without following links a task planted there.
    var files: WorkspaceFiles {
        WorkspaceFiles(workspace: workspace, staging: staging, user: taskUser)
    }

    public func string(_ key: String) -> String? {
        if case .string(let value)? = settings[key] { value } else { nil }
    }
}
