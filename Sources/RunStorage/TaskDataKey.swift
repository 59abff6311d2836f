/// The task whose data a ``RunStorage`` addresses: a task of a run of a DAG. The ids come from DAG
/// files and run ids, so storage treats them as untrusted text and encodes them.
public struct TaskDataKey: Sendable, Hashable, CustomStringConvertible {
    public var dagID: String
    public var runID: String
    public var taskID: String

    public init(dagID: String, runID: String, taskID: String) {
        self.dagID = dagID
        self.runID = runID
        self.taskID = taskID
    }

    public var description: String { "task '\(taskID)' of run '\(runID)' of DAG '\(dagID)'" }
}
