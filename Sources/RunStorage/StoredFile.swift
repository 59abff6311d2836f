/// A file a ``RunStorage`` holds for a task: its path (relative to the task's workspace) and size.
public struct StoredFile: Sendable, Hashable {
    public var path: String
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
}
