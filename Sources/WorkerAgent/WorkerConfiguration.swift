public import Foundation
public import TaskExecution

/// What `flowline worker` is: its name, the servers it pulls from, its queues and slots, and
/// where it keeps workspaces and logs.
public struct WorkerConfiguration: Sendable {
    /// The servers' base URLs (`--server`, repeatable): the worker fails over between them.
    public var servers: [URL]
    /// The worker token (`FLOWLINE_WORKER_TOKEN` or `--token-file`).
    public var token: String
    /// The worker's name among the workers (`--name`; default: the host name).
    public var name: String
    public var hostname: String
    /// The queues it takes tries from (`--queues`).
    public var queues: [String]
    /// How many tries it runs at once (`--concurrency`).
    public var concurrency: Int
    /// Where its tries' workspaces, logs and repository clones live.
    public var folders: OrchestratorFolders
    /// The interpreter of python tasks.
    public var python: String
    /// What task processes get of the worker's environment.
    public var taskEnvironment: TaskEnvironment
    /// Flowline's version, sent when registering.
    public var version: String
    /// How long a fetch waits on the server for work.
    public var fetchWait: Duration = .seconds(5)
    /// How often buffered log lines are sent while a try runs (what is left when it ends goes
    /// with its report).
    public var logInterval: Duration = .milliseconds(500)

    public init(
        servers: [URL],
        token: String,
        name: String,
        hostname: String = ProcessInfo.processInfo.hostName,
        queues: [String],
        concurrency: Int,
        folders: OrchestratorFolders,
        python: String,
        taskEnvironment: TaskEnvironment = TaskEnvironment(),
        version: String
    ) {
        self.servers = servers
        self.token = token
        self.name = name
        self.hostname = hostname
        self.queues = queues
        self.concurrency = concurrency
        self.folders = folders
        self.python = python
        self.taskEnvironment = taskEnvironment
        self.version = version
    }
}
