public import HTTPSupport
public import ObjectStorage
public import Storage

/// Everything the tracking server can be configured with; flag names follow `mlflow server`.
public struct TrackingConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String
    /// Port to listen on (5000, as MLflow); 0 picks any free port.
    public var port: Int
    /// `--backend-store-uri`: where experiments, runs and metrics are stored.
    public var backendStore: DatabaseURL
    /// `--artifacts-destination`: where proxied artifacts are stored, a folder or `s3://bucket/prefix`.
    public var artifactsDestination: String
    /// `--no-serve-artifacts` makes this `false`: clients then read and write the artifact
    /// locations of runs (`--default-artifact-root`) themselves, and `/mlflow-artifacts` answers 503.
    public var serveArtifacts = true
    /// `--default-artifact-root`: the artifact location of new experiments, each in a folder named
    /// after its ID; `nil`: `mlflow-artifacts:` (proxied).
    public var defaultArtifactRoot: String?
    /// Whether the server asks for logins (`--auth`, resolved for its host); the caller then sets
    /// ``authenticator``.
    public var asksForLogins = false
    /// Who may do what (the orchestrator's users and roles); `nil`: anyone who reaches the server.
    public var authenticator: (any TrackingAuthenticator)?
    /// Run once the server listens and its databases run (the first admin of a users database).
    public var onStart: (@Sendable () async throws -> Void)?
    /// How to reach the S3-compatible store of `s3://` destinations and roots.
    public var objectStore: ObjectStoreAccess?
    /// Host names, cross-site writes, timeouts and connection limits (`--allowed-hosts`).
    public var policy = ServerPolicy()
    /// `--max-artifact-size`: the largest artifact upload, in bytes; `nil` for no limit.
    public var maximumArtifactSize: Int64?
    /// `--artifacts-delete-credential USER:PASSWORD`: when set, deleting an artifact, or replacing
    /// one that exists, needs these credentials (HTTP basic auth, what the `mlflow` client sends
    /// from `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`); new files need none.
    public var artifactDeleteCredential: BasicCredential?

    /// The buckets the server needs, which it checks at start.
    public var buckets: [String] {
        let uris = (serveArtifacts ? [artifactsDestination] : []) + [defaultArtifactRoot].compactMap { $0 }
        return Array(Set(uris.compactMap { try? S3Location($0).bucket })).sorted()
    }

    /// The artifact location new experiments are created under.
    public var artifactRoot: String {
        var root = defaultArtifactRoot ?? "mlflow-artifacts:"
        while root.hasSuffix("/") { root.removeLast() }
        return root
    }

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

extension TrackingConfiguration {
    /// Whether the configuration needs an S3-compatible store: its destination or root is `s3://`.
    public var usesObjectStore: Bool {
        (serveArtifacts && artifactsDestination.hasPrefix("s3://")) || (defaultArtifactRoot?.hasPrefix("s3://") ?? false)
    }

    /// The repository of proxied artifacts: the destination folder or bucket; `nil` with
    /// `--no-serve-artifacts`.
    /// - Throws: ``TrackingError`` for a bucket without a client, or an `s3://` URI that is not one.
    public func proxiedRepository(objectStore: S3Client?) throws(TrackingError) -> (any ArtifactRepository)? {
        guard serveArtifacts else { return nil }
        guard artifactsDestination.hasPrefix("s3://") else {
            return FolderArtifactStore(root: artifactsDestination, maximumSize: maximumArtifactSize)
        }
        do {
            let location = try S3Location(artifactsDestination)
            guard let objectStore else {
                throw TrackingError(
                    .internalError,
                    "--artifacts-destination \(location) needs an S3 client: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                )
            }
            return S3ArtifactStore(client: objectStore, location: location, maximumSize: maximumArtifactSize)
        } catch let error as S3LocationError {
            throw .invalid("--artifacts-destination: \(error.description)")
        } catch let error as TrackingError {
            throw error
        } catch {
            throw TrackingError(.internalError, "\(error)")
        }
    }
}
