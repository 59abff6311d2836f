import ArgumentParser
import FlowlineStack
import Foundation
import OrchestratorDatabase
import Storage
import TaskExecution
import WorkerAgent
import Workflow

/// `flowline worker`: runs tasks for the servers on this host (Airflow's Edge worker, Celery's
/// worker): it pulls tries of its queues over HTTP, with a worker token and no database access.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run tasks for one or more servers on this host, pulling them over HTTP with a worker token.",
        discussion: """
            The token comes from FLOWLINE_WORKER_TOKEN or --token-file (an admin creates one with `flowline workers token create NAME`). \
            SIGTERM or Ctrl-C drains the worker: it finishes and reports its running tries, takes no new ones, and exits. \
            Python tasks find their scripts in --dags-folder, which should hold the same DAG files as the servers'.
            """
    )

    @Option(name: .customLong("server"), help: "A server's URL, like http://scheduler:8080; repeat for fail-over.") var servers: [String] = []
    @Option(help: "The queues to take tries from, comma-separated.") var queues = TaskDefinition.defaultQueue
    @Option(help: "How many tries run at once.") var concurrency = 8
    @Option(help: "The worker's name among the workers (default: the host name).") var name: String?
    @Option(help: "A file holding the worker token (else FLOWLINE_WORKER_TOKEN).") var tokenFile: String?
    @Option(Settings.dagsFolder) var dagsFolder: String?
    @Option(Settings.python) var python: String?
    @Option(text: Settings.taskEnvironment) var taskEnv: [String] = []
    @Option(Settings.dataDirectory) var dataDir: String?
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let settings = Settings.process
        let environment = ProcessInfo.processInfo.environment
        let serverTexts = servers.isEmpty ? (environment["FLOWLINE_SERVER"].map { [$0] } ?? []) : servers
        guard !serverTexts.isEmpty else { throw ValidationError("give at least one --server URL (or FLOWLINE_SERVER)") }
        let urls = try serverTexts.map { text -> URL in
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--server must be an http(s) URL like http://scheduler:8080, not '\(text)'")
            }
            return url
        }
        let token: String
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("cannot read --token-file \(tokenFile)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = environment["FLOWLINE_WORKER_TOKEN"] ?? ""
        }
        guard !token.isEmpty else {
            throw ValidationError(
                "no worker token: set FLOWLINE_WORKER_TOKEN or --token-file (an admin creates one with `flowline workers token create NAME`)"
            )
        }
        let queueList = queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !queueList.isEmpty else { throw ValidationError("--queues needs at least one queue") }
        for queue in queueList {
            if let problem = TaskDefinition.queueProblem(queue) { throw ValidationError("--queues: \(problem)") }
        }
        guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 4096, not \(concurrency)") }
        let workerName = name ?? ProcessInfo.processInfo.hostName
        if let problem = OrchestratorStore.workerNameProblem(workerName) { throw ValidationError("--name: \(problem)") }
        let directory = DataDirectory(path: try settings.value(Settings.dataDirectory, flag: dataDir))
        try directory.prepare()
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let dags = try settings.value(Settings.dagsFolder, flag: dagsFolder)
        let folders = OrchestratorFolders(
            dags: dags.isEmpty ? directory.url.appendingPathComponent("dags", isDirectory: true) : URL(fileURLWithPath: DataDirectory.absolute(dags)),
            logs: directory.url.appendingPathComponent("logs", isDirectory: true),
            workspaces: directory.url.appendingPathComponent("workspaces", isDirectory: true)
        )
        let interpreter = try settings.value(Settings.python, flag: python)
        let passThrough = taskEnv.isEmpty ? nil : taskEnv.joined(separator: ",")
        let configuration = WorkerConfiguration(
            servers: urls,
            token: token,
            name: workerName,
            queues: queueList,
            concurrency: concurrency,
            folders: folders,
            python: interpreter.contains("/") ? DataDirectory.absolute(interpreter) : interpreter,
            taskEnvironment: TaskEnvironment(passThrough: Set(try settings.value(Settings.taskEnvironment, text: passThrough))),
            version: FlowlineVersion.current
        )
        let logger = logging.bootstrap(try logging.level(settings))
        do {
            try await Stack.worker(configuration, logger: logger)
        } catch let error as StackError {
            throw CommandFailure(error.description)
        }
    }
}
