public import Foundation
public import JSON

/// A DAG as its YAML file defines it: tasks, their dependencies, schedule and defaults.
public struct DAG: Sendable, Equatable {
    public var dagID: String
    public var description: String?
    public var schedule: Schedule?
    public var startDate: Date?
    public var endDate: Date?
    public var catchup: Bool
    public var maxActiveRuns: Int
    public var maxActiveTasks: Int
    /// Whether the DAG is paused when first seen.
    public var pausedUponCreation: Bool
    public var tags: [String]
    /// Parameter schemas by name, in file order.
    public var params: [Param]
    /// The tasks, in file order.
    public var tasks: [TaskDefinition]
    /// The file the DAG came from, relative to the DAGs folder.
    public var fileLocation: String
    /// Whether a run's conf may only name the DAG's params (`strict_params: true`); Airflow's
    /// default, and Flowline's, lets other keys through.
    public var strictParams = false

    /// The task named `taskID`.
    public func task(_ taskID: String) -> TaskDefinition? {
        tasks.first { $0.taskID == taskID }
    }

    /// The owners named by the tasks, without repeats.
    public var owners: [String] {
        var seen: [String] = []
        for task in tasks where !seen.contains(task.owner) { seen.append(task.owner) }
        return seen
    }

    /// The tasks directly downstream of `taskID`.
    public func downstream(of taskID: String) -> [String] {
        tasks.filter { $0.upstream.contains(taskID) }.map(\.taskID)
    }

    /// `taskIDs` and every task downstream of them, transitively.
    public func withDownstream(_ taskIDs: [String]) -> [String] {
        var result = taskIDs
        var index = 0
        while index < result.count {
            for next in downstream(of: result[index]) where !result.contains(next) { result.append(next) }
            index += 1
        }
        return result
    }

    /// The params a run triggered with `conf` gets: each param's default, replaced by what `conf`
    /// gives, with what does not fit the params' schemas (empty when the conf is valid). A run
    /// stores these values when it is created (``DagRun/params``); templates and tasks read them.
    public func params(for conf: [String: JSONValue]) -> (values: [String: JSONValue], problems: [String]) {
        (resolvedParams(conf: conf), validate(conf: conf))
    }

    /// The parameters' defaults, overridden by `conf` (Airflow's `dag_run_conf_overrides_params`).
    func resolvedParams(conf: [String: JSONValue]) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for param in params {
            if let value = param.defaultValue { values[param.name] = value }
        }
        for (key, value) in conf { values[key] = value }
        return values
    }

    /// Checks `conf` against the DAG's params: every param must end up with a value that fits its
    /// schema. Returns the messages of what does not fit (empty when the conf is valid).
    func validate(conf: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        if strictParams {
            let names = Set(params.map(\.name))
            for key in conf.keys.sorted() where !names.contains(key) {
                problems.append(
                    "conf key '\(key)' is not a param of this DAG (its params: \(params.map(\.name).joined(separator: ", ")))\(DAGFileParser.suggestion(key, names))"
                )
            }
        }
        for param in params {
            guard let value = conf[param.name] ?? param.defaultValue else {
                problems.append("param '\(param.name)' has no default and was not given in conf")
                continue
            }
            if let problem = param.schema.check(value) {
                problems.append("param '\(param.name)': \(problem)")
            }
        }
        return problems
    }
}

/// A parameter of a DAG: a default for the run's conf and the JSON schema that values must fit.
public struct Param: Sendable, Equatable {
    public var name: String
    public var defaultValue: JSONValue?
    public var description: String?
    public var schema: ParamSchema

    public init(name: String, defaultValue: JSONValue? = nil, description: String? = nil, schema: ParamSchema) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
        self.schema = schema
    }
}

/// How a task runs and what it needs, after `default_args` were applied.
public struct TaskDefinition: Sendable, Equatable {
    public var taskID: String
    /// The operator's name: `bash`, `http`, `python`, `sensor`, `empty`.
    public var operatorName: String
    /// The operator's own settings (`command`, `url`, …), as written; strings are templates.
    public var arguments: [String: JSONValue]
    public var upstream: [String]
    public var triggerRule: TriggerRule
    public var owner: String
    public var retries: Int
    public var retryDelay: Duration
    /// The backoff multiplier: 0 or 1 = a constant delay; 2 = doubling.
    public var retryExponentialBackoff: Double
    public var maxRetryDelay: Duration?
    public var executionTimeout: Duration?
    public var environment: [String: String]
    /// Where the task's definition starts in its file ("line:column"), for error messages.
    public var location: String
    /// The queue whose workers run the task (`queue:`): the server's own slots serve
    /// ``defaultQueue``; `flowline worker --queues` choose theirs.
    public var queue: String = TaskDefinition.defaultQueue

    /// The queue of a task that names none.
    public static let defaultQueue = "default"

    /// Why `name` cannot be a queue's name (1 to 64 letters, digits, `_`, `-`, `.`), or `nil`.
    public static func queueProblem(_ name: String) -> String? {
        let allowed = name.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "_-.".unicodeScalars.contains($0) }
        guard allowed, (1...64).contains(name.unicodeScalars.count) else {
            return "queue '\(name.prefix(80))' must be 1 to 64 letters, digits, '_', '-' or '.'"
        }
        return nil
    }
    /// The files (and folders, ending with `/`) the task leaves in its workspace for downstream
    /// tasks (`outputs:`): stored in run storage when a try succeeds; a missing one fails it.
    public var outputs: [String] = []
    /// What the task reads of upstream tasks' outputs (`inputs:`), fetched before it runs.
    public var inputs: [TaskDataInput] = []

    /// Whether any setting or environment value holds a template.
    public var usesTemplates: Bool {
        arguments.values.contains { $0.jsonText.contains("{{") || $0.jsonText.contains("{%") }
            || environment.values.contains { $0.contains("{{") || $0.contains("{%") }
    }
}
