public import HTTPSupport
public import Storage

/// Everything the tracking server can be configured with; flag names follow `mlflow server`.
public struct TrackingConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String
    /// Port to listen on (5000, as MLflow); 0 picks any free port.
    public var port: Int
    /// `--backend-store-uri`: where experiments, runs and metrics are stored.
    public var backendStore: DatabaseURL
    /// `--artifacts-destination`: the folder that proxied artifacts are stored in.
    public var artifactsDestination: String
    /// Host names, cross-site writes, timeouts and connection limits (`--allowed-hosts`).
    public var policy = ServerPolicy()
    /// `--max-artifact-size`: the largest artifact upload, in bytes; `nil` for no limit.
    public var maximumArtifactSize: Int64?
    /// `--artifacts-delete-credential USER:PASSWORD`: when set, deleting an artifact, or replacing
    /// one that exists, needs these credentials (HTTP basic auth, what the `mlflow` client sends
    /// from `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`); new files need none.
    public var artifactDeleteCredential: BasicCredential?

    /// The default port of the tracking server.
    public static let defaultPort = 5000

    public init(
        host: String = ServerPolicy.defaultHost,
        port: Int = TrackingConfiguration.defaultPort,
        backendStore: DatabaseURL,
        artifactsDestination: String
    ) {
        self.host = host
        self.port = port
        self.backendStore = backendStore
        self.artifactsDestination = artifactsDestination
    }
}
