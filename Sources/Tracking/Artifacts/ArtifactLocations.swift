public import ObjectStorage

/// Where the artifacts an artifact URI names are: `mlflow-artifacts:` URIs in the repository this
/// server proxies (`--artifacts-destination`), `s3://` URIs in their bucket (the non-proxied mode,
/// `--default-artifact-root s3://…`, or an experiment created with an `s3://` location).
public struct ArtifactLocations: Sendable {
    /// The repository of proxied artifacts; `nil` with `--no-serve-artifacts`.
    public let proxied: (any ArtifactRepository)?
    /// The client of the S3-compatible store, when the server has one.
    public let objectStore: S3Client?

    public init(proxied: (any ArtifactRepository)?, objectStore: S3Client?) {
        self.proxied = proxied
        self.objectStore = objectStore
    }

    /// The repository holding the artifacts of `uri` and their path in it.
    /// - Throws: ``TrackingError`` when this server cannot reach them.
    public func locate(_ uri: String) throws(TrackingError) -> (repository: any ArtifactRepository, path: ArtifactPath) {
        if uri.hasPrefix("mlflow-artifacts:") {
            guard let proxied else {
                throw TrackingError(
                    .temporarilyUnavailable,
                    "The artifacts of '\(uri)' are proxied, and this server runs with --no-serve-artifacts: it does not serve them."
                )
            }
            return (proxied, try ArtifactPath.proxied(uri))
        }
        if uri.hasPrefix("s3://") {
            let location: S3Location
            do {
                location = try S3Location(uri)
            } catch {
                throw .invalid("Invalid artifact location: \(error.description)")
            }
            guard let objectStore else {
                throw TrackingError(
                    .internalError,
                    "The artifacts of '\(uri)' are in S3, and this server has no access to it: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and MLFLOW_S3_ENDPOINT_URL for a store other than AWS)."
                )
            }
            return (S3ArtifactStore(client: objectStore, location: location), try ArtifactPath(""))
        }
        throw .invalid("The artifact location '\(uri)' is not served by this server (it is neither an mlflow-artifacts: nor an s3:// URI).")
    }

    /// Deletes every artifact below `uri` (a run's or a logged model's artifact location).
    /// - Returns: `false` when the location is not one this server can reach (a local path).
    @discardableResult
    public func deleteArtifacts(of uri: String) async throws -> Bool {
        guard uri.hasPrefix("mlflow-artifacts:") || uri.hasPrefix("s3://") else { return false }
        let (repository, path) = try locate(uri)
        if path.isRoot, let store = repository as? S3ArtifactStore {
            // A location of its own (an s3:// URI): everything below its prefix.
            guard !store.location.prefix.isEmpty else {
                throw TrackingError.invalid("Refusing to delete a whole bucket: '\(uri)' has no key prefix")
            }
            try await store.mapped(path) { _ = try await store.client.deleteAll(bucket: store.location.bucket, prefix: store.location.prefix + "/") }
        } else {
            try await repository.delete(path)
        }
        return true
    }
}
