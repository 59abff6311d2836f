public import JSON

/// What DAG files may say about an operator: its name, its settings and how they take a run's
/// values. The loader checks tasks against it; the task side (`TaskExecution`) adds how it runs.
///
/// To add an operator, declare a type conforming to this protocol here, list it in
/// ``OperatorCatalog/all``, and conform it to `TaskOperator` in `TaskExecution` (its `run`).
public protocol OperatorDefinition: Sendable {
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
}

extension OperatorDefinition {
    public static var isDeferrable: Bool { false }
    public static var templateEmbeddings: [String: TemplateEmbedding] { [:] }
    public static func validate(_ settings: [String: JSONValue]) -> String? { nil }
}
