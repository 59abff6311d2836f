/// A relative artifact path that cannot escape the artifact root.
public struct ArtifactPath: Sendable, Equatable, CustomStringConvertible {
    /// The path's segments; never empty strings, `.` or `..`.
    public let segments: [String]

    /// Checks `text` (already percent-decoded): no `..` or `.` segments, not absolute, no
    /// backslashes or NUL characters. An empty path is the root.
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE, "Invalid path") otherwise.
    public init(_ text: String) throws(TrackingError) {
        if text.hasPrefix("/") || text.contains("\\") || text.contains("\0") || text.hasPrefix("~") {
            throw .invalid("Invalid path: '\(text)'")
        }
        let segments = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalid("Invalid path: '\(text)'")
        }
        self.segments = segments
    }

    public var isRoot: Bool { segments.isEmpty }
    public var description: String { segments.joined(separator: "/") }
    public var name: String { segments.last ?? "" }

    /// This path followed by `other`.
    public func appending(_ other: ArtifactPath) -> ArtifactPath {
        ArtifactPath(segments: segments + other.segments)
    }

    private init(segments: [String]) {
        self.segments = segments
    }

    /// The path an `mlflow-artifacts:/…` URI names, e.g. a run's artifact root.
    /// - Throws: ``TrackingError`` when the URI is not a proxied-artifact URI.
    public static func proxied(_ uri: String) throws(TrackingError) -> ArtifactPath {
        guard uri.hasPrefix("mlflow-artifacts:") else {
            throw .invalid("The artifact location '\(uri)' is not served by this server (it is not an mlflow-artifacts: URI).")
        }
        var rest = uri.dropFirst("mlflow-artifacts:".count)
        // mlflow-artifacts://host:port/path carries an authority before the path.
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
        }
        return try ArtifactPath(String(rest.drop { $0 == "/" }))
    }
}
