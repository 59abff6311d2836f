public import NIOCore
public import RunStorage
import TaskExecution
import Workflow

extension WorkerHub {
    /// A try as a worker names it when it moves its data: its fencing token included.
    public struct Fence: Sendable {
        public var dagID: String
        public var runID: String
        public var taskID: String
        public var tryNumber: Int
        public var lease: String

        public init(dagID: String, runID: String, taskID: String, tryNumber: Int, lease: String) {
            self.dagID = dagID
            self.runID = runID
            self.taskID = taskID
            self.tryNumber = tryNumber
            self.lease = lease
        }
    }

    private var data: LocalTaskData {
        LocalTaskData(storage: scheduler.configuration.runStorage, maximumOutputSize: scheduler.configuration.maximumTaskOutputSize)
    }

    /// Forgets the outputs earlier tries of the fenced try's task stored (before it stores its own).
    public func clearOutputs(_ name: String, _ fence: Fence) async throws {
        _ = try await holdingTry(name, fence)
        try await scheduler.configuration.runStorage.delete(TaskDataKey(dagID: fence.dagID, runID: fence.runID, taskID: fence.taskID))
    }

    /// Stores the output `path` of the fenced try, streamed from `chunks`, within the output limit.
    public func storeOutput<Chunks: AsyncSequence>(_ name: String, _ fence: Fence, path: String, chunks: Chunks) async throws
    where Chunks.Element == ByteBuffer {
        if let problem = StoredPath.problem(path) { throw RunStorageError(.invalidPath, problem) }
        _ = try await holdingTry(name, fence)
        let key = TaskDataKey(dagID: fence.dagID, runID: fence.runID, taskID: fence.taskID)
        _ = try await scheduler.configuration.runStorage.put(key, path: path, chunks: chunks, limit: data.maximumOutputSize)
    }

    /// The stored output `path` of task `from` in the run of the fenced try, which reads it.
    public func fetchInput(_ name: String, _ fence: Fence, from: String, path: String) async throws -> StoredContents {
        if let problem = StoredPath.problem(path) { throw RunStorageError(.invalidPath, problem) }
        _ = try await holdingTry(name, fence)
        return try await scheduler.configuration.runStorage.get(TaskDataKey(dagID: fence.dagID, runID: fence.runID, taskID: from), path: path)
    }

    private func holdingTry(_ name: String, _ fence: Fence) async throws -> TaskInstance {
        try await holding(name, fence.dagID, fence.runID, fence.taskID, tryNumber: fence.tryNumber, lease: fence.lease)
    }
}
