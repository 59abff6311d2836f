public import HTTPSupport
public import TrackingClient

/// What `flowline models serve` serves, and where.
public struct ServingConfiguration: Sendable {
    public static let defaultPort = 5001
    /// What `flowline up` serves: the example pipeline's champion.
    public static let defaultModel = "models:/line-model@champion"

    public var host: String
    public var port: Int
    public var model: ModelReference
    /// How often an alias is checked for a new version.
    public var pollInterval: Duration
    /// Host names, cross-site writes, timeouts and connection limits (`--allowed-hosts`).
    public var policy = ServerPolicy()

    public init(
        host: String = ServerPolicy.defaultHost,
        port: Int = ServingConfiguration.defaultPort,
        model: ModelReference,
        pollInterval: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.model = model
        self.pollInterval = pollInterval
    }
}
