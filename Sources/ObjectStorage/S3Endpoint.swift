public import Foundation

/// Where an S3-compatible store answers, as MLflow users configure it: AWS itself
/// (virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com/<key>`), or the endpoint in
/// `MLFLOW_S3_ENDPOINT_URL` (MinIO, SeaweedFS, Ceph: path-style `<endpoint>/<bucket>/<key>`).
public struct S3Endpoint: Sendable, Equatable {
    /// The endpoint of a store other than AWS; `nil` for AWS.
    public var url: URL?
    /// `AWS_DEFAULT_REGION`; `us-east-1` when unset.
    public var region: String
    /// `false` when `MLFLOW_S3_IGNORE_TLS` is `true`.
    public var verifiesTLS: Bool

    /// - Throws: ``S3LocationError`` for an endpoint that is not an `http(s)://host[:port]` URL.
    public init(url: URL? = nil, region: String = "us-east-1", verifiesTLS: Bool = true) throws(S3LocationError) {
        if let url {
            guard url.user == nil, url.password == nil else {
                throw S3LocationError("the S3 endpoint URL may not hold credentials: put them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            guard let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty, url.query == nil else {
                throw S3LocationError("the S3 endpoint '\(url.absoluteString.prefix(200))' is not an http(s)://host[:port] URL")
            }
        }
        guard !region.isEmpty, region.utf8.count <= 64, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw S3LocationError("'\(region.prefix(80))' is not a region name (letters, digits and hyphens)")
        }
        self.url = url
        self.region = region
        self.verifiesTLS = verifiesTLS
    }

    /// A request's URL for `key` in `bucket` (`nil`: the bucket itself) with `query`, and the
    /// `Host` and path to sign: the path as sent, each segment encoded as ``SigV4Signer`` encodes
    /// it, so that what the store checks is what was signed.
    /// - Throws: ``S3LocationError`` when no URL can be made of them.
    public func target(
        bucket: String,
        key: String?,
        query: [(name: String, value: String)] = []
    ) throws(S3LocationError) -> (
        url: URL, host: String, path: String
    ) {
        var components = URLComponents()
        let objectPath = "/" + bucket + (key.map { "/" + $0 } ?? "")
        let path: String
        if let url {
            // Path-style, below whatever path the endpoint has.
            components.scheme = url.scheme
            components.host = url.host
            components.port = url.port
            path = (url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path) + objectPath
        } else {
            components.scheme = "https"
            components.host = "\(bucket).s3.\(region).amazonaws.com"
            path = key.map { "/" + $0 } ?? "/"
        }
        components.percentEncodedPath = path.split(separator: "/", omittingEmptySubsequences: false).map { SigV4Signer.encode(String($0)) }
            .joined(separator: "/")
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { SigV4Signer.encode($0.name) + "=" + SigV4Signer.encode($0.value) }.joined(separator: "&")
        }
        guard let url = components.url, let host = components.host else {
            throw S3LocationError("no request URL can be made for '\(objectPath.prefix(200))' at \(self.url?.absoluteString ?? "AWS")")
        }
        return (url, components.port.map { "\(host):\($0)" } ?? host, path)
    }
}
