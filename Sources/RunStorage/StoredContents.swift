/// A stored file being read: its size, known before the first byte, and its bytes as chunks.
public struct StoredContents: Sendable {
    /// The file's size in bytes.
    public var size: Int64
    /// The bytes, read as they are consumed; iterate once.
    public var chunks: ByteChunks

    public init(size: Int64, chunks: ByteChunks) {
        self.size = size
        self.chunks = chunks
    }
}
