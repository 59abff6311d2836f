public import RunStorage

/// Task data on the machine of the run storage (the server's local executor): inputs read and
/// outputs written straight through ``RunStorage``.
public struct LocalTaskData: TaskDataTransfer {
    /// 2 GiB: the default limit of one output file (`--max-task-output-size`).
    public static let defaultMaximumOutputSize: Int64 = 2 << 30

    public let storage: any RunStorage
    /// The largest output file stored; a larger one fails the try.
    public let maximumOutputSize: Int64

    public init(storage: any RunStorage, maximumOutputSize: Int64 = LocalTaskData.defaultMaximumOutputSize) {
        self.storage = storage
        self.maximumOutputSize = maximumOutputSize
    }

    public func fetch(_ input: TaskInputFile, for workload: TaskWorkload) async throws -> StoredContents {
        try await storage.get(TaskDataKey(dagID: workload.dagID, runID: workload.runID, taskID: input.from), path: input.path)
    }

    public func clearOutputs(of workload: TaskWorkload) async throws {
        try await storage.delete(workload.dataKey)
    }

    public func store(_ path: String, size: Int64, chunks: ByteChunks, for workload: TaskWorkload) async throws {
        guard size <= maximumOutputSize else {
            throw RunStorageError(.tooLarge, "\(path) is \(size) bytes, more than the limit of \(maximumOutputSize) bytes per output file")
        }
        _ = try await storage.put(workload.dataKey, path: path, chunks: chunks, limit: maximumOutputSize)
    }
}

extension TaskWorkload {
    /// Where the outputs of this workload's task are stored.
    public var dataKey: TaskDataKey { TaskDataKey(dagID: dagID, runID: runID, taskID: taskID) }
}
