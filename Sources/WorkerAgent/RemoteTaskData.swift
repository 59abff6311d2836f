import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RunStorage
import TaskExecution

/// Task data of a try on a worker: inputs downloaded from the server's run storage and outputs
/// uploaded to it, streamed both ways (one chunk in memory at a time), fenced by the try's lease.
struct RemoteTaskData: TaskDataTransfer {
    let client: WorkerServerClient
    let lease: String

    func fetch(_ input: TaskInputFile, for workload: TaskWorkload) async throws -> StoredContents {
        let response = try await client.data(.GET, query: fence(workload) + [("from", input.from), ("path", input.path)], body: nil)
        let size = response.headers.first(name: "Content-Length").flatMap(Int64.init) ?? input.size
        return StoredContents(size: size, chunks: .iterating(response.body))
    }

    func clearOutputs(of workload: TaskWorkload) async throws {
        _ = try await client.data(.DELETE, query: fence(workload), body: nil)
    }

    func store(_ path: String, size: Int64, chunks: ByteChunks, for workload: TaskWorkload) async throws {
        _ = try await client.data(.PUT, query: fence(workload) + [("path", path)], body: .stream(chunks, length: .known(size)))
    }

    private func fence(_ workload: TaskWorkload) -> [(String, String)] {
        [
            ("dag_id", workload.dagID), ("run_id", workload.runID), ("task_id", workload.taskID), ("try_number", String(workload.tryNumber)),
            ("lease", lease),
        ]
    }
}
