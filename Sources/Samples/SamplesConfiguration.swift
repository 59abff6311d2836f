public import HTTPSupport

/// Everything the line-samples service can be configured with.
public struct SamplesConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String
    /// Port to listen on (6780, as in the original stack); 0 picks any free port.
    public var port: Int
    /// The line served until a client changes it with `PUT /put-line-params`.
    public var initialLine: LineParameters
    /// The largest `n_samples` one request may ask for.
    public var maximumSamplesPerRequest: Int
    /// The largest request body accepted, in bytes; larger bodies get 413.
    public var maximumBodySize: Int
    /// Host names, cross-site writes, timeouts and connection limits (`--allowed-hosts`).
    public var policy = ServerPolicy()

    /// The default port of the samples service.
    public static let defaultPort = 6780
    /// The default cap on `n_samples`.
    public static let defaultMaximumSamplesPerRequest = 1_000_000

    public init(
        host: String = ServerPolicy.defaultHost,
        port: Int = SamplesConfiguration.defaultPort,
        initialLine: LineParameters = .default,
        maximumSamplesPerRequest: Int = SamplesConfiguration.defaultMaximumSamplesPerRequest,
        maximumBodySize: Int = 64 * 1024
    ) {
        self.host = host
        self.port = port
        self.initialLine = initialLine
        self.maximumSamplesPerRequest = maximumSamplesPerRequest
        self.maximumBodySize = maximumBodySize
    }
}
