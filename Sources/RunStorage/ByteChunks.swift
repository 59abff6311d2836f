public import NIOCore

/// A stream of byte chunks, each produced when the consumer asks for it, so that only one chunk
/// is in memory at a time: what ``RunStorage`` reads return, whatever their source (a file, an
/// HTTP body).
public struct ByteChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private let produce: @Sendable () async throws -> ByteBuffer?

    /// A stream whose chunks `next` produces in turn, `nil` at the end. It is called by one
    /// consumer at a time, never again after it returned `nil` or threw.
    public init(next: @escaping @Sendable () async throws -> ByteBuffer?) {
        produce = next
    }

    /// The chunks of the open file descriptor `descriptor`, read from its current offset in
    /// chunks of `chunkSize` bytes; the descriptor is closed at the end (or when the stream is
    /// dropped).
    public static func reading(descriptor: Int32, chunkSize: Int = FileChunkReader.defaultChunkSize) -> ByteChunks {
        let reader = FileChunkReader(descriptor: descriptor, chunkSize: chunkSize)
        return ByteChunks { try await reader.next() }
    }

    /// The chunks of `sequence` (an HTTP body), read as they are consumed.
    public static func iterating<Chunks: AsyncSequence & Sendable>(_ sequence: Chunks) -> ByteChunks where Chunks.Element == ByteBuffer {
        let reader = IteratorBox(sequence.makeAsyncIterator())
        return ByteChunks { try await reader.next() }
    }

    /// Holds an iterator that one consumer at a time advances.
    private actor IteratorBox<Iterator: AsyncIteratorProtocol> where Iterator.Element == ByteBuffer {
        private var iterator: Iterator

        init(_ iterator: Iterator) {
            self.iterator = iterator
        }

        func next() async throws -> ByteBuffer? {
            var current = iterator
            let chunk = try await current.next(isolation: self)
            iterator = current
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(produce: produce)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let produce: @Sendable () async throws -> ByteBuffer?
        private var finished = false

        fileprivate init(produce: @escaping @Sendable () async throws -> ByteBuffer?) {
            self.produce = produce
        }

        public mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            do {
                guard let chunk = try await produce() else {
                    finished = true
                    return nil
                }
                return chunk
            } catch {
                finished = true
                throw error
            }
        }
    }
}
