public import Foundation
public import NIOCore

/// Where the outputs of a run's tasks are kept between tries that may run on different machines:
/// each successful try stores its declared outputs here, and each downstream try fetches its
/// inputs from here (docs/orchestrator.md, "Task data").
///
/// Files are addressed by a ``TaskDataKey`` (DAG, run, task) and a path relative to the task's
/// workspace (``StoredPath``). Contents always travel as streams of chunks: no implementation may
/// hold a whole file in memory. A file that is written appears whole or not at all; one that is
/// refused (too large, a failed write, a broken stream) leaves nothing behind.
///
/// ``FolderRunStorage`` keeps them in a folder; an object store can implement the same protocol.
public protocol RunStorage: Sendable {
    /// Stores the bytes of `chunks` as the file `path` of `key`'s task, replacing what was there.
    /// - Parameter limit: the most bytes accepted; a longer stream is refused and nothing is stored.
    /// - Returns: the number of bytes stored.
    /// - Throws: ``RunStorageError`` (`tooLarge`, `invalidPath`, `io`), or what `chunks` throws.
    func put<Chunks: AsyncSequence>(_ key: TaskDataKey, path: String, chunks: Chunks, limit: Int64) async throws -> Int64
    where Chunks.Element == ByteBuffer

    /// Stores the local file `file` as the file `path` of `key`'s task, replacing what was there.
    /// A symbolic link is refused, not followed.
    /// - Parameter limit: the most bytes accepted; a larger file is refused and nothing is stored.
    /// - Returns: the number of bytes stored.
    /// - Throws: ``RunStorageError`` (`notFound` when `file` is missing, `tooLarge`, `invalidPath`, `io`).
    func put(_ key: TaskDataKey, path: String, from file: URL, limit: Int64) async throws -> Int64

    /// The file `path` of `key`'s task: its size and its bytes, read chunk by chunk as they are
    /// consumed (iterate ``StoredContents/chunks`` once).
    /// - Throws: ``RunStorageError`` (`notFound`, `invalidPath`, `io`).
    func get(_ key: TaskDataKey, path: String) async throws -> StoredContents

    /// The files stored for `key`'s task, by path.
    /// - Throws: ``RunStorageError`` (`invalidPath` for an id that cannot be stored, `io`).
    func list(_ key: TaskDataKey) async throws -> [StoredFile]

    /// Deletes every file stored for `key`'s task (a new try's outputs replace the last one's).
    func delete(_ key: TaskDataKey) async throws

    /// Deletes everything stored for the run `runID` of DAG `dagID`.
    func deleteRun(dagID: String, runID: String) async throws
}
