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
    /// `nil`: ``defaultMaximumConnections`` as the server starts.
    public var maximumConnections: Int?

    /// The address Flowline's servers listen on unless told otherwise (`--host`): loopback only.
    public static let defaultHost = "127.0.0.1"

    public init(
        allowedHosts: HostPatterns = .localAndPrivate,
        trustedOrigins: Set<String> = [],
        idleTimeout: Duration = .seconds(30),
        maximumHeaderSize: Int = 32 * 1024,
        maximumConnections: Int? = nil
    ) {
        self.allowedHosts = allowedHosts
        self.trustedOrigins = trustedOrigins
        self.idleTimeout = idleTimeout
        self.maximumHeaderSize = maximumHeaderSize
        self.maximumConnections = maximumConnections
    }

    /// The connection cap for this process's descriptor limit now (``DescriptorLimit``): a quarter
    /// of what is left of it after a reserve of 1024 descriptors for databases, logs and task pipes
    /// (`flowline up` runs four servers), and at least 64; 256 when the limit cannot be read. The
    /// servers raise the limit to its hard limit as they start (``DescriptorLimit/raise()``).
    public static var defaultMaximumConnections: Int {
        guard let descriptors = DescriptorLimit.current else { return 256 }
        return max(64, (descriptors - 1024) / 4)
    }
}
