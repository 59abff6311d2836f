#if canImport(Glibc)
import Glibc
#endif

/// What every Flowline HTTP server enforces, whatever its API: which `Host` names it answers (DNS
/// rebinding), that writes from other web sites are refused (cross-site requests), how long a
/// connection may sit without sending a complete request part (slow clients, half-sent bodies,
/// idle keep-alive), how large request headers may be, and how many connections it keeps.
public struct ServerPolicy: Sendable {
    /// The `Host` names answered (``HostPatterns``).
    public var allowedHosts: HostPatterns
    /// Web origins (`https://app.example.com`) whose pages may write to this server, besides its own.
    public var trustedOrigins: Set<String>
    /// A connection that sends no complete request part (head, body chunk) for this long is
    /// closed, as is a kept-alive connection idle this long.
    public var idleTimeout: Duration
    /// The most bytes of request headers (431/closed beyond).
    public var maximumHeaderSize: Int
    /// The most connections kept; a new one beyond closes the longest-idle one (``ConnectionGuard``).
    public var maximumConnections: Int

    public init(
        allowedHosts: HostPatterns = .localAndPrivate, trustedOrigins: Set<String> = [], idleTimeout: Duration = .seconds(30),
        maximumHeaderSize: Int = 32 * 1024, maximumConnections: Int = ServerPolicy.defaultMaximumConnections
    ) {
        self.allowedHosts = allowedHosts
        self.trustedOrigins = trustedOrigins
        self.idleTimeout = idleTimeout
        self.maximumHeaderSize = maximumHeaderSize
        self.maximumConnections = maximumConnections
    }

    /// A quarter of this process's file descriptors (raised to its hard limit), less a reserve for
    /// databases, logs and task pipes: `flowline up` runs four servers.
    public static let defaultMaximumConnections: Int = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let descriptors = Int(min(limit.rlim_cur, 1 << 20))
        return max(64, (descriptors - 1024) / 4)
    }()
}
