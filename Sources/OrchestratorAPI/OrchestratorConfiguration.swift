public import Foundation
public import HTTPSupport
public import ObjectStorage
public import RunStorage
public import Scheduling
public import Storage
public import TaskExecution
import Workflow

/// Where the orchestrator listens, keeps its state and finds its DAGs.
public struct OrchestratorConfiguration: Sendable {
    public static let defaultPort = 8080
    /// How many task processes run at once (`--parallelism`).
    public static let defaultParallelism = 32
    /// The interpreter of python tasks (`--python`), looked up on `PATH`.
    public static let defaultPython = "python3"
    /// The admin created on a database without users (`FLOWLINE_ADMIN_USER`).
    public static let defaultAdminUsername = "alice"
    /// The original stack's well-known password, which must not face a network.
    public static let defaultAdminPassword = "bob"

    public var host: String
    public var port: Int
    /// Host names, cross-site writes, timeouts and connection limits (`--allowed-hosts`).
    public var policy = ServerPolicy()
    /// The database of DAG runs and task instances.
    public var database: DatabaseURL
    public var folders: OrchestratorFolders
    public var parallelism: Int
    public var python: String
    /// Whether the example DAGs are installed in the DAGs folder.
    public var installExamples: Bool
    /// Where the example model repository is built (`<data-dir>/examples/line-model`).
    public var exampleRepository: URL
    /// The admin created on a database without users (`FLOWLINE_ADMIN_USER`/`…_PASSWORD`).
    public var adminUsername = OrchestratorConfiguration.defaultAdminUsername
    public var adminPassword = OrchestratorConfiguration.defaultAdminPassword
    /// What task processes get of the server's environment (`--task-env` adds names).
    public var taskEnvironment = TaskEnvironment()
    /// The OS user task processes run as (`--task-user`); `nil` runs them as the server's user.
    public var taskUser: TaskUser?
    /// Whether the server's own slots run tasks of the `default` queue (not `--no-local-executor`).
    public var localExecutor = true
    /// How long a worker may stay silent before its tries are failed or retried (`--worker-timeout`).
    public var workerTimeout: Duration = .seconds(30)
    /// The name of the server's local executor among the workers: the host and the data directory
    /// (which one server at a time holds), so that it is the same after a restart.
    public var workerName = "server-\(ProcessInfo.processInfo.hostName)"
    /// Flowline's version, for the workers page.
    public var version = "dev"
    /// The largest output file a try may store in run storage (`--max-task-output-size`); the
    /// run storage's folder is ``OrchestratorFolders/runStorage``.
    public var maximumTaskOutputSize = LocalTaskData.defaultMaximumOutputSize
    /// `--run-storage s3://bucket/prefix`: task data and finished tries' logs in a bucket (logs are
    /// written in ``OrchestratorFolders/logs`` while tries run); `nil`: a folder.
    public var runStorageBucket: S3Location?
    /// How to reach the store of ``runStorageBucket``.
    public var objectStore: ObjectStoreAccess?
    /// The run storage, when not the folder ``OrchestratorFolders/runStorage`` (set by whoever
    /// opened the bucket's client).
    public var runStorage: (any RunStorage)?
    /// With several servers on one PostgreSQL database, how long the scheduling server's lease
    /// lasts unrenewed (`--scheduler-lease`).
    public var schedulerLease = Scheduler.Leadership.defaultLease

    public init(
        host: String = ServerPolicy.defaultHost,
        port: Int = OrchestratorConfiguration.defaultPort,
        database: DatabaseURL,
        folders: OrchestratorFolders,
        parallelism: Int = OrchestratorConfiguration.defaultParallelism,
        python: String = OrchestratorConfiguration.defaultPython,
        installExamples: Bool = true,
        exampleRepository: URL
    ) {
        self.exampleRepository = exampleRepository
        self.host = host
        self.port = port
        self.database = database
        self.folders = folders
        self.parallelism = parallelism
        self.python = python
        self.installExamples = installExamples
    }

    /// The defaults inside a data directory: `orchestrator.db`, `dags/`, `logs/`, `workspaces/`.
    public static func inDataDirectory(_ directory: URL, database: DatabaseURL? = nil, dagsFolder: String? = nil) -> OrchestratorConfiguration {
        var configuration = OrchestratorConfiguration(
            database: database ?? .sqlite(path: directory.appendingPathComponent("orchestrator.db").path),
            folders: OrchestratorFolders(
                dags: dagsFolder.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? directory.appendingPathComponent("dags", isDirectory: true),
                logs: directory.appendingPathComponent("logs", isDirectory: true),
                workspaces: directory.appendingPathComponent("workspaces", isDirectory: true)
            ),
            exampleRepository: directory.appendingPathComponent("examples", isDirectory: true).appendingPathComponent("line-model", isDirectory: true)
        )
        configuration.workerName =
            "server-\(ProcessInfo.processInfo.hostName)-\(String(RetryPolicy.fnv1a(directory.standardizedFileURL.path), radix: 16).prefix(8))"
        return configuration
    }

    /// Whether the server can be reached from other machines (it listens beyond loopback).
    public var listensBeyondLoopback: Bool {
        !["127.0.0.1", "::1", "localhost"].contains(host)
    }

    /// The scheduler's settings.
    public var schedulerConfiguration: Scheduler.Configuration {
        var configuration = Scheduler.Configuration(
            folders: folders,
            parallelism: parallelism,
            python: python,
            taskEnvironment: taskEnvironment,
            taskUser: taskUser,
            runStorage: runStorage,
            maximumTaskOutputSize: maximumTaskOutputSize,
            leadership: Scheduler.Leadership(lease: schedulerLease)
        )
        configuration.localQueues = localExecutor ? [TaskDefinition.defaultQueue] : []
        configuration.workerTimeout = workerTimeout
        configuration.workerName = workerName
        configuration.version = version
        return configuration
    }
}
