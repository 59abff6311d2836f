import Foundation
public import JSON

/// What a task does. An operator is one type in one file: it names its settings (checked when the
/// DAG file loads) and runs one try of a task with its settings already rendered.
///
/// To add an operator, write a type conforming to this protocol and list it in
/// ``OperatorRegistry/all``.
public protocol TaskOperator: Sendable {
    /// The name DAG files use in `operator:`.
    static var name: String { get }
    /// The settings the operator reads, besides the common task settings.
    static var settings: Set<String> { get }
    /// The settings a task must give.
    static var requiredSettings: Set<String> { get }
    /// Whether a try waits as a trigger inside the scheduler (sensors) instead of holding one of
    /// the executor's slots.
    static var isDeferrable: Bool { get }
    /// How each setting takes the values its templates render (``TemplateEmbedding/value`` for
    /// the settings not named): quoted into a shell command, encoded into a URL, or never from the run.
    static var templateEmbeddings: [String: TemplateEmbedding] { get }
    /// Checks the settings as written (before rendering), for the loader's import errors.
    static func validate(_ settings: [String: JSONValue]) -> String?
    /// Runs one try.
    static func run(_ context: TaskRunContext) async throws -> TaskOutcome
}

extension TaskOperator {
    public static var isDeferrable: Bool { false }
    public static var templateEmbeddings: [String: TemplateEmbedding] { [:] }
    public static func validate(_ settings: [String: JSONValue]) -> String? { nil }
}

/// Every operator Flowline knows.
public enum OperatorRegistry {
    public static let all: [any TaskOperator.Type] = [
        BashOperator.self, PythonOperator.self, HTTPOperator.self, SensorOperator.self, EmptyOperator.self, ProjectOperator.self,
    ]

    public static func named(_ name: String) -> (any TaskOperator.Type)? {
        all.first { $0.name == name }
    }
}

/// How a try ended, when it did not fail.
public enum TaskOutcome: Sendable, Equatable {
    /// Done; the value, if any, is pushed as the task's XCom (`return_value`), and `more` under
    /// their own keys.
    case success(xcom: JSONValue?, more: [String: JSONValue] = [:])
    /// The task decided not to do its work (bash exit 99).
    case skipped(String)
}

/// A try that failed, with what to tell the user.
public struct TaskFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

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
    /// The run's configuration.
    public var conf: [String: JSONValue]
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
