/// How to reach an S3-compatible store: where it answers and the credentials that sign requests,
/// as MLflow users set them (`MLFLOW_S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, …).
public struct ObjectStoreAccess: Sendable, Equatable {
    public var endpoint: S3Endpoint
    public var credentials: AWSCredentials

    public init(endpoint: S3Endpoint, credentials: AWSCredentials) {
        self.endpoint = endpoint
        self.credentials = credentials
    }

    /// A new client of the store; shut it down with ``S3Client/shutdown()``.
    public func client() -> S3Client {
        S3Client(endpoint: endpoint, credentials: credentials)
    }
}
