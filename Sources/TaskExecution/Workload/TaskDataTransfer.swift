public import RunStorage

/// How a try's data travels between its workspace and run storage: the part of the task side
/// that differs between the server's local executor (``LocalTaskData``, straight to the
/// ``RunStorage``) and a remote worker (HTTP to the server).
///
/// ``TryExecutor`` does the rest, the same everywhere: before the operator runs it calls
/// ``fetch(_:for:)`` for each of the workload's ``TaskWorkload/inputs`` and writes the chunks into
/// the workspace (never following links there); after the operator succeeded it calls
/// ``clearOutputs(of:)`` once, then ``store(_:size:chunks:for:)`` for each file of the workload's
/// ``TaskWorkload/outputs``. Whatever a call throws fails the try (retryable), with the error's
/// description in its reason. Contents are streams: implementations must not hold a whole file.
public protocol TaskDataTransfer: Sendable {
    /// The contents of `input`, a stored output of task `input.from` in `workload`'s run.
    func fetch(_ input: TaskInputFile, for workload: TaskWorkload) async throws -> StoredContents

    /// Forgets what earlier tries of `workload`'s task stored, so that its outputs are this try's
    /// only. Called once, after the operator succeeded and before the first ``store(_:size:chunks:for:)``.
    func clearOutputs(of workload: TaskWorkload) async throws

    /// Stores the output file `path` of `workload`'s task: `size` bytes, read from `chunks`.
    func store(_ path: String, size: Int64, chunks: ByteChunks, for workload: TaskWorkload) async throws
}
