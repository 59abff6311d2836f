import ArgumentParser
import FlowlineStack
import Foundation
import JSON
import Logging
import OrchestratorAPI
import OrchestratorDatabase
import Scheduling
import TaskExecution
import Workflow

/// `flowline dags …`: list, validate and test DAG files.
struct DagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dags",
        abstract: "List, validate and test DAGs.",
        subcommands: [List.self, Validate.self, Test.self, Trigger.self, ListRuns.self, Pause.self, Unpause.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the DAGs of the DAGs folder, and its import errors.")
        @OptionGroup var state: StateOptions
        @OptionGroup var orchestrator: OrchestratorOptions

        func run() async throws {
            let configuration = try state.configuration(orchestrator.flags)
            let contents = DAGFolder(url: configuration.folders.dags).scan()
            let paused = PausedStates()
            try await withStore(state) { store in
                for record in try await store.dags() where record.isPaused { await paused.add(record.dagID) }
            }
            let pausedIDs = await paused.ids
            let rows = contents.dags.values.map(\.dag).sorted { $0.dagID < $1.dagID }.map { dag in
                [
                    dag.dagID, dag.fileLocation, dag.schedule?.description ?? "None", String(dag.tasks.count),
                    pausedIDs.contains(dag.dagID) || dag.pausedUponCreation ? "True" : "False",
                ]
            }
            printNow(Table.render(header: ["dag_id", "fileloc", "schedule", "tasks", "is_paused"], rows: rows))
            if !contents.errors.isEmpty {
                printNow("\n\(contents.errors.count) import error(s) (run `flowline dags validate` for details)")
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check DAG files; print every import error. Exits 1 if there is any.",
            discussion: "PATH may be DAG files or folders; without one, the DAGs folder is checked."
        )
        @Argument(help: "DAG files or folders.") var paths: [String] = []
        @OptionGroup var state: StateOptions
        @OptionGroup var orchestrator: OrchestratorOptions

        func run() async throws {
            var targets = paths.map { URL(fileURLWithPath: $0) }
            if targets.isEmpty { targets = [try state.configuration(orchestrator.flags).folders.dags] }
            var dags: [DAG] = []
            var errors: [DAGFileError] = []
            for target in targets {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isFolder) else {
                    errors.append(DAGFileError(file: target.path, message: "no such file or folder"))
                    continue
                }
                if isFolder.boolValue {
                    let contents = DAGFolder(url: target).scan()
                    dags += contents.dags.values.map(\.dag)
                    errors += contents.errors
                } else {
                    let text = (try? String(contentsOf: target, encoding: .utf8)) ?? ""
                    switch DAGFileParser.parse(text, file: target.path) {
                    case .success(let dag): dags.append(dag)
                    case .failure(let error): errors.append(error)
                    }
                }
            }
            for error in errors { printNow("ERROR \(error)") }
            printNow("\(dags.count) DAG(s) valid, \(errors.count) import error(s).")
            if !errors.isEmpty { throw ExitCode.failure }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a whole DAG once in this process, without a server, printing each task's log.",
            discussion: "Uses a private in-memory database; Variables are read from the data directory's database. Exits 1 if the run fails."
        )
        @Argument(help: "The DAG's id.") var dagID: String
        @Option(help: "The run's conf, a JSON object.") var conf: String?
        @OptionGroup var state: StateOptions
        @OptionGroup var orchestrator: OrchestratorOptions

        func run() async throws {
            let dag = try loadDAG(dagID, state: state, orchestrator: orchestrator)
            try await runTest(dag, conf: try parseConf(conf), state: state, orchestrator: orchestrator)
        }
    }
}

extension DagsCommand {
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trigger a run of a DAG through the orchestrator's REST API.",
            discussion:
                "The conf is checked against the DAG's params by the server. With --wait, task states are printed as they change, and the command exits 1 if the run fails."
        )
        @Argument(help: "The DAG's id.") var dagID: String
        @Option(help: "The run's conf, a JSON object.") var conf: String?
        @Option(help: "The run's id (default: manual__<time>).") var runID: String?
        @Flag(help: "Wait for the run to finish, printing task states as they change.") var wait = false
        @OptionGroup var server: ServerOptions

        func run() async throws {
            let client = try await server.client()
            var body: [String: JSONValue] = ["logical_date": .null, "conf": .object(try parseConf(conf))]
            if let runID { body["dag_run_id"] = .string(runID) }
            let run = try await client.send("POST", "/api/v2/dags/\(APIClient.segment(dagID))/dagRuns", body: .object(body))
            guard let id = run["dag_run_id"]?.string else { throw APIClient.Failure(status: 0, detail: "no dag_run_id in the answer") }
            printNow("Triggered \(dagID) run \(id) (\(run["state"]?.string ?? "queued")).")
            guard wait else { return }
            let state = try await RunWatcher(client: client, dagID: dagID, runID: id).watch()
            if state != "success" { throw ExitCode.failure }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a DAG through the REST API: no new scheduled runs; queued runs wait.")
        @Argument(help: "The DAG's id.") var dagID: String
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await server.client().send("PATCH", "/api/v2/dags/\(APIClient.segment(dagID))", body: .object(["is_paused": .bool(true)]))
            printNow("Paused \(dagID).")
        }
    }

    struct Unpause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unpause a DAG through the REST API.")
        @Argument(help: "The DAG's id.") var dagID: String
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await server.client().send("PATCH", "/api/v2/dags/\(APIClient.segment(dagID))", body: .object(["is_paused": .bool(false)]))
            printNow("Unpaused \(dagID).")
        }
    }

    struct ListRuns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-runs",
            abstract: "List the runs of a DAG, newest first, with their tasks' states."
        )
        @Argument(help: "The DAG's id.") var dagID: String
        @Option(help: "How many runs to show.") var limit = 20
        @OptionGroup var state: StateOptions

        func run() async throws {
            let dagID = dagID
            let limit = limit
            try await withStore(state) { store in
                let runs = try await store.runs(dagID: dagID, limit: limit).runs
                var rows: [[String]] = []
                for run in runs {
                    let tasks = try await store.taskInstances(dagID: dagID, runID: run.runID)
                    let summary = tasks.map { "\($0.taskID)=\($0.state?.rawValue ?? "none")" }.joined(separator: " ")
                    rows.append([run.runID, run.state.rawValue, run.runType.rawValue, run.startDate.map(DateText.format) ?? "", summary])
                }
                printNow(Table.render(header: ["run_id", "state", "run_type", "start_date", "tasks"], rows: rows))
            }
        }
    }
}

/// `flowline tasks test DAG TASK`: one task alone.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Test single tasks; read task logs.",
        subcommands: [Test.self, Logs.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one task of a DAG in this process, without its upstream tasks, printing its log.",
            discussion: "Templates that read upstream XComs find none. Exits 1 if the task fails."
        )
        @Argument(help: "The DAG's id.") var dagID: String
        @Argument(help: "The task's id.") var taskID: String
        @Option(help: "The run's conf, a JSON object.") var conf: String?
        @OptionGroup var state: StateOptions
        @OptionGroup var orchestrator: OrchestratorOptions

        func run() async throws {
            var dag = try loadDAG(dagID, state: state, orchestrator: orchestrator)
            guard var task = dag.task(taskID) else {
                throw ValidationError("DAG '\(dagID)' has no task '\(taskID)'; its tasks: \(dag.tasks.map(\.taskID).joined(separator: ", "))")
            }
            task.upstream = []
            task.retries = 0
            dag.tasks = [task]
            try await runTest(dag, conf: try parseConf(conf), state: state, orchestrator: orchestrator)
        }
    }
}

/// The DAG `dagID` from the DAGs folder, or an error naming what is wrong with its file.
private func loadDAG(_ dagID: String, state: StateOptions, orchestrator: OrchestratorOptions) throws -> DAG {
    let configuration = try state.configuration(orchestrator.flags)
    let contents = DAGFolder(url: configuration.folders.dags).scan()
    if let entry = contents.dags[dagID] { return entry.dag }
    let stem = contents.errors.first { URL(fileURLWithPath: $0.file).deletingPathExtension().lastPathComponent == dagID }
    if let stem { throw ValidationError("DAG '\(dagID)' does not load: \(stem)") }
    throw ValidationError(
        "no DAG '\(dagID)' in \(configuration.folders.dags.path); DAGs there: \(contents.dags.keys.sorted().joined(separator: ", "))"
    )
}

private func runTest(_ dag: DAG, conf: [String: JSONValue], state: StateOptions, orchestrator: OrchestratorOptions) async throws {
    let configuration = try state.configuration(orchestrator.flags)
    let collected = VariablesBox()
    try await withStore(state) { store in await collected.set(try await store.variables()) }
    var logger = Logger(label: "flowline")
    logger.logLevel = .warning
    let result = try await DAGTest.run(
        dag,
        conf: conf,
        folders: configuration.folders,
        python: configuration.python,
        parallelism: configuration.parallelism,
        variables: await collected.value,
        logger: logger,
        output: printNow
    )
    let rows: [[String]] = result.tasks.map { task in
        let seconds = String(format: "%.3f", task.duration ?? 0)
        return [task.taskID, task.state?.rawValue ?? "none", String(task.tryNumber), seconds, task.message ?? ""]
    }
    printNow("\n" + Table.render(header: ["task_id", "state", "try", "seconds", "message"], rows: rows))
    printNow("Run \(result.run.runID): \(result.run.state.rawValue)")
    if result.run.state != .success { throw ExitCode.failure }
}

private actor VariablesBox {
    var value: [VariableRecord] = []
    func set(_ variables: [VariableRecord]) { value = variables }
}

private actor PausedStates {
    var ids: Set<String> = []
    func add(_ id: String) { ids.insert(id) }
}

/// Plain-text tables for the terminal.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: " | ")
                .trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "=", count: $0) }.joined(separator: "=+=")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
