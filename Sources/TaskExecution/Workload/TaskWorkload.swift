import Foundation
public import JSON
import RunStorage
import Workflow

/// One try of one task, described completely: everything the task side needs to run it and
/// nothing it must look up (Airflow 3's `ExecuteTask` workload). The scheduler builds it from the
/// DAG, the run, XComs and Variables; ``TryExecutor`` runs it, here or on another machine, and
/// answers a ``TryResult``. Both travel as JSON (``json`` and ``init(json:)``), so this is the
/// wire contract between the orchestrator and its workers.
public struct TaskWorkload: Sendable, Equatable {
    /// The version of this contract: a worker refuses a workload of a version it does not know.
    public static let version = 1

    public var dagID: String
    public var runID: String
    public var taskID: String
    public var tryNumber: Int
    /// ``OperatorDefinition/name`` of the task's operator.
    public var operatorName: String
    /// The task's settings as the DAG file gives them (with `default_args`), not yet rendered.
    public var settings: [String: JSONValue]
    /// The task's `env`, not yet rendered.
    public var environment: [String: String]
    /// How long the try may run (`execution_timeout`); `nil` for no limit.
    public var executionTimeout: Duration?
    /// The task's owner, for the tracking runs it starts.
    public var owner: String
    /// The variables the templates see (``TemplateContext``); the task side sets `workspace` to
    /// its own folder.
    public var templateContext: [String: JSONValue]
    /// Values hidden as `***` in the log and in XComs taken from output (``SecretMask``).
    public var secrets: [String]
    /// The task's declared outputs (files, and folders ending with `/`), stored when the try
    /// succeeds; a missing one fails it.
    public var outputs: [String] = []
    /// The files the try fetches into its workspace before it runs.
    public var inputs: [TaskInputFile] = []

    public init(
        dagID: String,
        runID: String,
        taskID: String,
        tryNumber: Int,
        operatorName: String,
        settings: [String: JSONValue],
        environment: [String: String],
        executionTimeout: Duration?,
        owner: String,
        templateContext: [String: JSONValue],
        secrets: [String],
        outputs: [String] = [],
        inputs: [TaskInputFile] = []
    ) {
        self.dagID = dagID
        self.runID = runID
        self.taskID = taskID
        self.tryNumber = tryNumber
        self.operatorName = operatorName
        self.settings = settings
        self.environment = environment
        self.executionTimeout = executionTimeout
        self.owner = owner
        self.templateContext = templateContext
        self.secrets = secrets
        self.outputs = outputs
        self.inputs = inputs
    }

    /// The run's configuration, as the templates see it (`dag_run.conf`).
    public var conf: [String: JSONValue] {
        if case .object(let conf)? = templateContext["dag_run"]?["conf"] { conf } else { [:] }
    }

    /// The run's params, defaults applied (`params` of the templates).
    public var params: [String: JSONValue] {
        if case .object(let params)? = templateContext["params"] { params } else { [:] }
    }

    /// The workload as JSON.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "version": .integer(Self.version),
            "dag_id": .string(dagID), "run_id": .string(runID), "task_id": .string(taskID), "try_number": .integer(tryNumber),
            "operator": .string(operatorName), "settings": .object(settings), "env": .object(environment.mapValues { .string($0) }),
            "owner": .string(owner), "template_context": .object(templateContext), "secrets": .array(secrets.map { .string($0) }),
        ]
        if let executionTimeout { object["execution_timeout"] = .double(executionTimeout.seconds) }
        if !outputs.isEmpty { object["outputs"] = .array(outputs.map { .string($0) }) }
        if !inputs.isEmpty {
            object["inputs"] = .array(
                inputs.map { .object(["from": .string($0.from), "path": .string($0.path), "size": .integer(Int($0.size))]) }
            )
        }
        return .object(object)
    }

    /// Reads a workload written by ``json``.
    /// - Throws: ``TaskWorkloadError`` naming the member that is missing or wrong.
    public init(json: JSONValue) throws(TaskWorkloadError) {
        guard case .object(let object) = json else { throw TaskWorkloadError("a workload must be a JSON object") }
        guard object["version"]?.int == Self.version else { throw TaskWorkloadError("version must be \(Self.version)") }
        func text(_ key: String) throws(TaskWorkloadError) -> String {
            guard let value = object[key]?.string else { throw TaskWorkloadError("\(key) must be text") }
            return value
        }
        func members(_ key: String) throws(TaskWorkloadError) -> [String: JSONValue] {
            guard case .object(let value)? = object[key] else { throw TaskWorkloadError("\(key) must be an object") }
            return value
        }
        guard let tryNumber = object["try_number"]?.int, tryNumber >= 1 else { throw TaskWorkloadError("try_number must be a positive integer") }
        var environment: [String: String] = [:]
        for (name, value) in try members("env") {
            guard let value = value.string else { throw TaskWorkloadError("env.\(name) must be text") }
            environment[name] = value
        }
        var timeout: Duration?
        if let value = object["execution_timeout"], value != .null {
            guard let seconds = value.double, seconds.isFinite, seconds > 0 else {
                throw TaskWorkloadError("execution_timeout must be a positive number of seconds")
            }
            timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        guard case .array(let secrets)? = object["secrets"], secrets.allSatisfy({ $0.string != nil }) else {
            throw TaskWorkloadError("secrets must be a list of text")
        }
        var outputs: [String] = []
        if let value = object["outputs"], value != .null {
            guard case .array(let items) = value, items.count <= TaskDataLimits.maximumOutputs else {
                throw TaskWorkloadError("outputs must be a list of at most \(TaskDataLimits.maximumOutputs) paths")
            }
            for item in items {
                guard let path = item.string else { throw TaskWorkloadError("outputs must be a list of text") }
                if let problem = StoredPath.problem(path, allowFolder: true) { throw TaskWorkloadError("outputs: \(problem)") }
                outputs.append(path)
            }
        }
        var inputs: [TaskInputFile] = []
        if let value = object["inputs"], value != .null {
            guard case .array(let items) = value else { throw TaskWorkloadError("inputs must be a list") }
            for item in items {
                guard let from = item["from"]?.string, let path = item["path"]?.string, let size = item["size"]?.int, size >= 0 else {
                    throw TaskWorkloadError("each of inputs must be {\"from\": task id, \"path\": text, \"size\": bytes}")
                }
                if let problem = StoredPath.problem(path) { throw TaskWorkloadError("inputs: \(problem)") }
                inputs.append(TaskInputFile(from: from, path: path, size: Int64(size)))
            }
        }
        self.init(
            dagID: try text("dag_id"),
            runID: try text("run_id"),
            taskID: try text("task_id"),
            tryNumber: tryNumber,
            operatorName: try text("operator"),
            settings: try members("settings"),
            environment: environment,
            executionTimeout: timeout,
            owner: try text("owner"),
            templateContext: try members("template_context"),
            secrets: secrets.compactMap(\.string),
            outputs: outputs,
            inputs: inputs
        )
    }
}

/// Why JSON is not a ``TaskWorkload`` or a ``TryResult``.
public struct TaskWorkloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
