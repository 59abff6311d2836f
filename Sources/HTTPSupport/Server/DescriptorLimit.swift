#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's limit of open file descriptors (`RLIMIT_NOFILE`), which bounds how many
/// connections its servers can keep (``ServerPolicy/defaultMaximumConnections``).
public enum DescriptorLimit {
    /// The soft limit now; `nil` when it cannot be read. At most 2²⁰, whatever the system allows.
    public static var current: Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return Int(min(limit.rlim_cur, 1 << 20))
    }

    /// Raises the soft limit to the hard limit, for servers that keep many connections; call it
    /// once as the servers start. Processes started afterwards (tasks) inherit the raised limit.
    /// - Returns: the soft limit now (as ``current``).
    @discardableResult
    public static func raise() -> Int? {
        var limit = rlimit()
        if getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &raised)
        }
        return current
    }

    #if canImport(Glibc)
    private static let resource = Int32(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
