import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import NIOCore
import OrchestratorDatabase
import TaskExecution
import Workflow

/// Reads a try's log from a byte offset (the continuation token), so a client can follow it.
enum LogReader {
    /// The most a single answer carries.
    static let maximumChunk = 4 << 20

    /// The text from `offset` up to the last complete line, and the offset after it; a chunk
    /// without any line end (a line longer than ``maximumChunk``) is given whole.
    static func read(_ url: URL, from offset: Int) -> (text: String, end: Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return ("", offset) }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        let start = min(max(offset, 0), size)
        try? handle.seek(toOffset: UInt64(start))
        let data = (try? handle.read(upToCount: min(size - start, maximumChunk))) ?? Data()
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
            return data.count == maximumChunk ? (String(decoding: data, as: UTF8.self), start + data.count) : ("", start)
        }
        let complete = data[data.startIndex...lastNewline]
        return (String(decoding: complete, as: UTF8.self), start + complete.count)
    }
}
