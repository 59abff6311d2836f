import Foundation
import OrchestratorAPI
import Scheduling
import TaskExecution
import Workflow

/// The settings of the orchestrator, shared by `flowline up`, `flowline server` and the DAG commands.
extension Settings {
    public static let orchestratorPort = Setting<Int>.port(
        option: "--orchestrator-port",
        variable: "FLOWLINE_ORCHESTRATOR_PORT",
        default: OrchestratorConfiguration.defaultPort,
        summary: "Port of the orchestrator"
    )

    /// The DAGs folder; empty: `dags/` in the data directory.
    public static let dagsFolder = Setting<String>(
        option: "--dags-folder",
        variables: ["FLOWLINE_DAGS_FOLDER"],
        default: "",
        shown: "dags/ in the data directory",
        summary: "The DAGs folder"
    )

    public static let parallelism = Setting<Int>(
        option: "--parallelism",
        variables: ["FLOWLINE_PARALLELISM"],
        default: OrchestratorConfiguration.defaultParallelism,
        in: 1...1024,
        summary: "How many task processes run at once"
    )

    public static let python = Setting<String>(
        option: "--python",
        variables: ["FLOWLINE_PYTHON"],
        default: OrchestratorConfiguration.defaultPython,
        summary: "The interpreter of python tasks"
    )

    /// Whether the example DAGs are left out: the flag, or the variable set to anything.
    public static let noExamples = Setting<Bool>(
        option: "--no-examples",
        variables: ["FLOWLINE_NO_EXAMPLES"],
        default: false,
        shown: "install them",
        summary: "Do not install the example DAGs in the DAGs folder; the variable does the same whatever its value",
        expected: "any text",
        read: { _ in true }
    )

    /// Whether the server's own slots run no tasks (workers run them all): the flag, or the
    /// variable set to anything.
    public static let noLocalExecutor = Setting<Bool>(
        option: "--no-local-executor",
        variables: ["FLOWLINE_NO_LOCAL_EXECUTOR"],
        default: false,
        shown: "the server runs tasks of the default queue",
        summary: "Run no tasks on this server (except sensors): `flowline worker` processes run them; the variable does the same whatever its value",
        expected: "any text",
        read: { _ in true }
    )

    /// How long a worker may stay silent before its tries are failed or retried elsewhere.
    public static let workerTimeout = Setting<Duration>(
        option: "--worker-timeout",
        variables: ["FLOWLINE_WORKER_TIMEOUT"],
        default: .seconds(30),
        shown: "30s",
        summary: "How long a worker may send no heartbeat before its tries are retried elsewhere (or failed)",
        expected: "a duration from 1s to 1h, like 30s or 2m"
    ) { text in
        guard let duration = try? DurationText.parse(text), duration >= .seconds(1), duration <= .seconds(3600) else { return nil }
        return duration
    }

    /// The OS user task processes run as; empty: the server's own.
    public static let taskUser = Setting<String>(
        option: "--task-user",
        variables: ["FLOWLINE_TASK_USER"],
        default: "",
        shown: "the server's own user",
        summary: "Run task processes as this OS user, who cannot read the server's files; needs flowline to run as root"
    )

    /// More of the server's environment variables tasks may see, by name.
    public static let taskEnvironment = Setting<[String]>(
        option: "--task-env",
        variables: ["FLOWLINE_TASK_ENV"],
        default: [],
        shown: "none",
        summary: """
            Also give tasks these variables of the server's environment, comma-separated; repeatable. Tasks always get PATH, \
            HOME, locale, TZ, TMPDIR, proxies and CA settings, never anything else
            """,
        expected: "environment variable names, comma-separated"
    ) { text throws(SettingsError) in
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let problem = TaskEnvironment.problem(passing: names) { throw SettingsError(problem) }
        return names
    }

    /// The folder of the run storage, where tasks' declared outputs are kept, and tries' logs
    /// (`+logs/`) when it is set; empty: `run-storage/` in the data directory, logs in `logs/`.
    public static let runStorage = Setting<String>(
        option: "--run-storage",
        variables: ["FLOWLINE_RUN_STORAGE"],
        default: "",
        shown: "run-storage/ in the data directory",
        summary:
            "Where tasks' declared outputs (and, when set, tries' logs) are kept, a folder or s3://bucket/prefix; servers that share work share it"
    )

    /// The largest output file one try may store.
    public static let maximumTaskOutputSize = Setting<Int64>(
        option: "--max-task-output-size",
        variables: ["FLOWLINE_MAX_TASK_OUTPUT_SIZE"],
        default: LocalTaskData.defaultMaximumOutputSize,
        shown: "2G",
        summary: "The largest output file a task may store for downstream tasks: bytes, or with K, M or G",
        expected: "a size in bytes, like 500000000, 500M or 2G"
    ) { text in
        guard let bytes = byteCount(text), bytes > 0 else { return nil }
        return bytes
    }

    /// How long the scheduling server's lease lasts unrenewed, with several servers on one
    /// PostgreSQL database.
    public static let schedulerLease = Setting<Duration>(
        option: "--scheduler-lease",
        variables: ["FLOWLINE_SCHEDULER_LEASE"],
        default: Scheduler.Leadership.defaultLease,
        shown: DurationText.format(Scheduler.Leadership.defaultLease),
        summary: """
            With several servers on one PostgreSQL database, how long the scheduling server's lease lasts unrenewed (it renews \
            it every fifth of that): how long scheduling pauses when that server dies
            """,
        expected: "a duration from 1s to 10m, like 10s",
        read: { text throws(SettingsError) in
            do {
                return try DurationText.parse(text)
            } catch {
                throw SettingsError("\(error)")
            }
        },
        accepts: { $0 >= .seconds(1) && $0 <= .seconds(600) }
    )

    /// The admin created on a database without users.
    public static let adminUser = Setting<String>(
        option: nil,
        variables: ["FLOWLINE_ADMIN_USER"],
        default: OrchestratorConfiguration.defaultAdminUsername,
        summary: "The admin created on a database without users"
    )

    public static let adminPassword = Setting<String>(
        option: nil,
        variables: ["FLOWLINE_ADMIN_PASSWORD"],
        default: OrchestratorConfiguration.defaultAdminPassword,
        summary: "The password of the admin created on a database without users",
        isSecret: true
    )
}
