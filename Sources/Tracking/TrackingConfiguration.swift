import Foundation
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
    /// `--artifacts-delete-credential USER:PASSWORD`: when set, deleting artifacts needs these
    /// credentials (HTTP basic auth, what the `mlflow` client sends from `MLFLOW_TRACKING_USERNAME`
    /// and `MLFLOW_TRACKING_PASSWORD`).
    public var artifactDeleteCredential: BasicCredential?

    /// The default port of the tracking server.
    public static let defaultPort = 5000

    public init(host: String = "127.0.0.1", port: Int = TrackingConfiguration.defaultPort, backendStore: DatabaseURL, artifactsDestination: String) {
        self.host = host
        self.port = port
        self.backendStore = backendStore
        self.artifactsDestination = artifactsDestination
    }
}

/// A user name and password, checked against a request's HTTP basic `Authorization`.
public struct BasicCredential: Sendable, Equatable {
    public var username: String
    public var password: String

    /// Parses `USER:PASSWORD`; `nil` without a colon or with an empty part.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
        guard !username.isEmpty, !password.isEmpty else { return nil }
    }

    /// Whether an `Authorization` header value carries this credential (compared in constant time).
    public func matches(authorization header: String?) -> Bool {
        guard let header, header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces))
        else { return false }
        let expected = Array("\(username):\(password)".utf8)
        let given = Array(decoded)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
