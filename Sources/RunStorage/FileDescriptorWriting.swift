public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension ByteBuffer {
    /// Writes the readable bytes whole to the open file descriptor `descriptor`, again after a
    /// short write or an interruption.
    /// - Returns: 0, or the `errno` of the write that failed.
    public func writeWhole(to descriptor: Int32) -> Int32 {
        withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
    }
}
