import RunStorage

/// What a task reads of an upstream task's stored outputs (`inputs:` in a DAG file): all of them,
/// or the listed paths (files, or folders ending with `/`). They are fetched from run storage into
/// the try's workspace, at the paths the producer wrote them, before the operator runs.
public struct TaskDataInput: Sendable, Equatable {
    /// The producing task: an upstream (ancestor) task of the consumer.
    public var from: String
    /// The paths to fetch, each one of the producer's outputs or inside one of its folders; `nil`
    /// for all of its outputs.
    public var paths: [String]?

    public init(from: String, paths: [String]? = nil) {
        self.from = from
        self.paths = paths
    }

    /// Whether the stored file `file` of the producer is one this input asks for, given the
    /// producer's declared `outputs`.
    public func wants(_ file: String, outputs: [String]) -> Bool {
        (paths ?? outputs).contains { StoredPath.file(file, isIn: $0) }
    }
}

/// The limits of task data declarations in a DAG file.
public enum TaskDataLimits {
    /// The most `outputs` a task declares.
    public static let maximumOutputs = 100
    /// The most `inputs` entries a task declares, and the most `paths` one entry lists.
    public static let maximumInputs = 100
}
