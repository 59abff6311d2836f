/// One file a try fetches before it runs: a stored output of an upstream task in the same run,
/// resolved by the scheduler from the task's `inputs:` (``TaskInputResolver``). It lands in the
/// try's workspace at `path`, where the producer wrote it.
public struct TaskInputFile: Sendable, Equatable {
    /// The producing task.
    public var from: String
    /// The file's path, relative to the workspace (``RunStorage/StoredPath``).
    public var path: String
    /// Its size when the workload was made, in bytes.
    public var size: Int64

    public init(from: String, path: String, size: Int64) {
        self.from = from
        self.path = path
        self.size = size
    }
}
