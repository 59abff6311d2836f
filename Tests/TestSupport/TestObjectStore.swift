import Foundation
public import ObjectStorage

/// The S3-compatible store of the tests: `FLOWLINE_TEST_S3_URL` (SeaweedFS, which checks
/// signatures) or `FLOWLINE_TEST_MOTO_URL` (moto), each `http://KEY:SECRET@HOST:PORT/BUCKET` as
/// `scripts/s3.sh` prints it; `scripts/test.sh` starts both. A missing store fails the test.
public struct TestObjectStore: Sendable {
    public var endpoint: S3Endpoint
    public var credentials: AWSCredentials
    public var bucket: String
    /// A fresh key prefix for one test, so that tests never see each other's objects.
    public var prefix: String

    public enum Kind: String, Sendable {
        case seaweedfs = "FLOWLINE_TEST_S3_URL"
        case moto = "FLOWLINE_TEST_MOTO_URL"
    }

    public init(_ kind: Kind = .seaweedfs) throws {
        guard let text = ProcessInfo.processInfo.environment[kind.rawValue], let url = URLComponents(string: text),
            let user = url.user, let password = url.password, let host = url.host, let port = url.port
        else {
            throw TestFailure("\(kind.rawValue) is not set: run the tests with scripts/test.sh, which starts the S3-compatible stores")
        }
        endpoint = try S3Endpoint(url: URL(string: "http://\(host):\(port)"))
        credentials = AWSCredentials(accessKeyID: user, secretAccessKey: password)
        bucket = String(url.path.drop { $0 == "/" })
        prefix = "test-" + UUID().uuidString.lowercased()
    }

    /// `s3://bucket/prefix` of this test.
    public var location: String { "s3://\(bucket)/\(prefix)" }

    /// The environment a `flowline` process needs to reach the store, as MLflow users set it.
    public var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
            "MLFLOW_S3_ENDPOINT_URL": endpoint.url?.absoluteString ?? "", "AWS_DEFAULT_REGION": endpoint.region,
        ]
    }

    /// A client of the store; shut it down with ``S3Client/shutdown()``.
    public func client(retries: S3Client.RetryPolicy = .init()) -> S3Client {
        S3Client(endpoint: endpoint, credentials: credentials, retries: retries)
    }

    /// Runs `body` with a client, shut down afterwards.
    @discardableResult
    public func withClient<T: Sendable>(_ body: (S3Client) async throws -> T) async throws -> T {
        let client = client()
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
