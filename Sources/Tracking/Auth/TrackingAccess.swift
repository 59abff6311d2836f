import Foundation
public import HTTPTypes

/// What a user may do on the tracking server; each level includes the ones before it. The
/// orchestrator's roles map onto them: a viewer reads, an op writes runs, experiments, models and
/// artifacts, an admin also deletes and renames registered models and versions and deletes
/// experiments.
public enum TrackingAccess: Int, Sendable, Comparable, CustomStringConvertible {
    case read
    case write
    case manage

    public static func < (lhs: TrackingAccess, rhs: TrackingAccess) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .manage: "manage"
        }
    }

    /// Paths anyone may ask: a load balancer's probe, the client's capability probe.
    static let publicPaths: Set<String> = ["/health", "/version", "/api/3.0/mlflow/server-info"]

    /// POST endpoints that only read, besides the searches.
    static let readingPosts: Set<String> = ["/registered-models/get-latest-versions"]

    /// The endpoints that delete or rename what others rely on (below the API prefixes).
    static let managing: Set<String> = [
        "/registered-models/delete", "/registered-models/rename", "/model-versions/delete", "/experiments/delete",
    ]

    /// The access a request needs; `nil` for the public paths. Reads are GET and HEAD, and the
    /// POSTs that only search; the endpoints of ``managing`` need ``manage``; any other write
    /// needs ``write``.
    public static func required(method: HTTPRequest.Method, path: String) -> TrackingAccess? {
        // The path as the router matches it: empty segments (`//`, a trailing `/`) dropped, each
        // segment percent-decoded, so that no spelling of a path needs less than the path.
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { $0.removingPercentEncoding ?? String($0) }
        let path = "/" + segments.joined(separator: "/")
        if publicPaths.contains(path) { return nil }
        if method == .get || method == .head { return .read }
        let endpoint = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow", "/api/3.0/mlflow", "/ajax-api/3.0/mlflow"]
            .first { path.hasPrefix($0 + "/") }
            .map { String(path.dropFirst($0.count)) }
        if let endpoint {
            if method == .post, endpoint.hasSuffix("/search") || readingPosts.contains(endpoint) { return .read }
            if managing.contains(endpoint) { return .manage }
        }
        return .write
    }
}

/// Who sent a request, and what they may do.
public struct TrackingIdentity: Sendable, Equatable {
    public var username: String
    public var access: TrackingAccess

    public init(username: String, access: TrackingAccess) {
        self.username = username
        self.access = access
    }
}

/// Checks the credentials of requests to the tracking server: HTTP basic (what the `mlflow`
/// client sends from `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`) or a bearer token
/// (`MLFLOW_TRACKING_TOKEN`).
public protocol TrackingAuthenticator: Sendable {
    /// Who the `Authorization` header's value names, or `nil` when it names nobody (a wrong
    /// password, an expired or forged token).
    /// - Throws: ``TrackingError`` when the check cannot be made (too many failures: 429).
    func identify(authorization: String) async throws -> TrackingIdentity?
}
