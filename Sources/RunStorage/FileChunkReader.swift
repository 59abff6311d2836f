import Foundation
public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads an open file chunk by chunk (``ByteChunks/reading(descriptor:chunkSize:)``); closes it at
/// the end of the file, on an error, or when dropped.
public actor FileChunkReader {
    /// 64 KiB: large enough that a system call per chunk costs little, small enough to keep many
    /// transfers in memory at once.
    public static let defaultChunkSize = 64 * 1024

    private var descriptor: Int32
    private let chunkSize: Int

    /// Takes ownership of `descriptor`.
    public init(descriptor: Int32, chunkSize: Int = FileChunkReader.defaultChunkSize) {
        self.descriptor = descriptor
        self.chunkSize = max(1, chunkSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The next chunk, or `nil` at the end of the file.
    /// - Throws: ``RunStorageError`` with code `io` when reading fails.
    public func next() throws(RunStorageError) -> ByteBuffer? {
        guard descriptor >= 0 else { return nil }
        var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
        var failure: Int32 = 0
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { bytes in
            while true {
                let read = Glibc.read(descriptor, bytes.baseAddress, min(bytes.count, chunkSize))
                if read >= 0 { return read }
                if errno != EINTR {
                    failure = errno
                    return 0
                }
            }
        }
        if failure != 0 {
            finish()
            throw RunStorageError(.io, "cannot read a stored file: \(String(cString: strerror(failure)))")
        }
        guard count > 0 else {
            finish()
            return nil
        }
        return buffer
    }

    private func finish() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
