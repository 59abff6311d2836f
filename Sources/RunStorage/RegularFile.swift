#if canImport(Glibc)
import Glibc
#endif

/// A regular file opened for reading without following links: what run storage uploads from.
public enum RegularFile {
    /// `path` opened for reading, with its size; a link, a folder or a device is refused (a FIFO
    /// cannot hang the open).
    public static func openForReading(_ path: String, name: String) throws(RunStorageError) -> (descriptor: Int32, size: Int64) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw RunStorageError(.notFound, "\(name) is not stored") }
            if errno == ELOOP { throw RunStorageError(.invalidPath, "\(name) is a symbolic link") }
            throw RunStorageError(.io, "cannot open \(name): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw RunStorageError(.invalidPath, "\(name) is not a regular file")
        }
        // Reads of a regular file never block; the flag only kept a FIFO from hanging the open.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return (descriptor, Int64(status.st_size))
    }
}
