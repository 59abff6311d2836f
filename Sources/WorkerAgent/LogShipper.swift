import Foundation
import JSON
import Synchronization
import TaskExecution

/// Collects the lines a try writes to its log and sends them to the server in chunks, so that the
/// UI's live log and `tasks logs --follow` show remote tries as they run.
final class LogShipper: Sendable {
    private let buffer = Mutex("")
    private let client: WorkerServerClient
    private let fence: JSONValue
    /// The most bytes one push carries.
    static let chunkSize = 512 * 1024

    init(client: WorkerServerClient, fence: [String: JSONValue]) {
        self.client = client
        self.fence = .object(fence)
    }

    /// Adds one line (as the log file has it).
    func add(_ line: String) {
        buffer.withLock { $0 += line + "\n" }
    }

    /// The lines not sent yet, when they fit in a report (``TryResult/maximumReportedLog`` bytes):
    /// taken, to travel with the try's end instead of in a push of their own; else `nil`.
    func takeForReport() -> String? {
        buffer.withLock { text in
            guard text.utf8.count <= TryResult.maximumReportedLog else { return nil }
            defer { text = "" }
            return text
        }
    }

    /// Sends what was collected.
    /// - Throws: ``WorkerServerClient/Failure/refused(status:detail:)`` when the try is no longer
    ///   this worker's (409): it must stop; `CancellationError`. Lines that could not be sent are
    ///   kept for the next flush.
    func flush() async throws {
        while true {
            let chunk = buffer.withLock { text -> String in
                // Whole lines, as many as fit in a chunk (at least one).
                var size = 0
                var end = text.startIndex
                while end < text.endIndex {
                    let lineEnd = text[end...].firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
                    let lineSize = text.utf8.distance(from: end, to: lineEnd)
                    if size > 0, size + lineSize > Self.chunkSize { break }
                    size += lineSize
                    end = lineEnd
                }
                defer { text.removeSubrange(text.startIndex..<end) }
                return String(text[..<end])
            }
            guard !chunk.isEmpty else { return }
            var body = fence
            if case .object(var members) = body {
                members["log_chunk_data"] = .string(chunk)
                body = .object(members)
            }
            do {
                _ = try await client.call("POST", "logs/push/\(client.name)", body: body)
            } catch WorkerServerClient.Failure.refused(let status, let detail) {
                throw WorkerServerClient.Failure.refused(status: status, detail: detail)
            } catch {
                // Not sent (no server, or the sending task was cancelled): kept for the next flush.
                buffer.withLock { $0 = chunk + $0 }
                if error is CancellationError { throw error }
                return
            }
        }
    }
}
