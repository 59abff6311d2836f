import Hummingbird
import NIOCore

/// A request body that stops with 413 once it has carried more than `limit` bytes.
struct SizeLimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: RequestBody
    let limit: Int64
    let path: ArtifactPath

    /// The 413 of an upload to `path` past `limit` bytes (`size` when its length is known).
    static func tooLarge(_ path: ArtifactPath, size: Int64? = nil, limit: Int64) -> TrackingError {
        TrackingError(
            .tooLarge,
            "The artifact '\(path)' is \(size.map { "\($0) bytes, more" } ?? "larger") than the server's --max-artifact-size of \(limit) bytes."
        )
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int64
        let path: ArtifactPath
        var count: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            count += Int64(buffer.readableBytes)
            guard count <= limit else { throw SizeLimitedBody.tooLarge(path, limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), limit: limit, path: path)
    }
}
