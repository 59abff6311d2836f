#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive, advisory `flock` on a file that records its holder's pid, held until the value is
/// deinitialized or the process ends: what ``DataDirectoryLock`` and ``DatabaseServerLock`` are made
/// of.
final class ExclusiveFileLock: Sendable {
    /// Why a lock was not taken.
    enum Failure: Error {
        /// The file cannot be opened; `reason` is the system's.
        case cannotOpen(reason: String)
        /// Another process holds it; `pid` is the one it recorded, when readable.
        case held(pid: String?)
    }

    private let descriptor: Int32

    init(path: String) throws(Failure) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var holder = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &holder, holder.count)
            close(descriptor)
            let pid = String(decoding: holder.prefix(max(0, count)), as: UTF8.self).filter(\.isNumber)
            throw .held(pid: pid.isEmpty ? nil : pid)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.descriptor = descriptor
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
