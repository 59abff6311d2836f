/// MLflow's validation rules and limits, in one place.
public enum TrackingValidation {
    public static let maximumKeyLength = 250
    public static let maximumParamValueLength = 6000
    public static let maximumRunTagValueLength = 8000
    public static let maximumExperimentNameLength = 500
    public static let maximumExperimentTagValueLength = 20000
    public static let maximumBatchMetrics = 1000
    public static let maximumBatchParams = 100
    public static let maximumBatchTags = 100
    public static let maximumBatchEntities = 1000
    /// The largest log-batch request body, in bytes (MLflow's `MAX_BATCH_LOG_REQUEST_SIZE`).
    public static let maximumBatchRequestSize = 1_000_000

    /// Checks a metric, param or tag key: MLflow's character set, not empty, at most 250 characters,
    /// and "path-unique" (it must not change when treated as a file path).
    /// - Parameter kind: "metric", "param" or "tag", for the message.
    public static func key(_ key: String, kind: String) throws(TrackingError) {
        let allowed = key.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || "_/.- :".unicodeScalars.contains(scalar)
        }
        guard allowed else {
            throw .invalid(
                "Invalid \(kind) name: '\(key)'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
            )
        }
        let normalized = normalizedPath(key)
        guard normalized == key, key != ".", !key.hasPrefix(".."), !key.hasPrefix("/") else {
            throw .invalid(
                "Invalid \(kind) name: '\(key)'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '\(normalized)'"
            )
        }
        guard key.count <= maximumKeyLength else {
            throw .invalid(
                "\(kind.prefix(1).uppercased() + kind.dropFirst()) key '\(key.prefix(32))…' had length \(key.count), which exceeded length limit of \(maximumKeyLength)"
            )
        }
    }

    /// `posixpath.normpath`: collapses `//`, `.` and `dir/..` segments.
    static func normalizedPath(_ path: String) -> String {
        guard !path.isEmpty else { return "." }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Checks an experiment ID: MLflow's IDs are integers rendered as strings.
    public static func experimentID(_ id: String) throws(TrackingError) -> Int64 {
        guard let value = Int64(id) else {
            throw .invalid("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
        }
        return value
    }

    /// Checks a run ID's form before looking it up.
    public static func runID(_ id: String) throws(TrackingError) {
        let scalars = Array(id.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 256,
            first.properties.isASCIIHexDigit || ("a"..."z").contains(first) || ("A"..."Z").contains(first),
            scalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-") })
        else {
            throw .invalid("Invalid value \"\(id)\" for parameter 'run_id' supplied.")
        }
    }

    /// Checks an experiment name: not empty, at most 500 characters.
    public static func experimentName(_ name: String) throws(TrackingError) {
        guard !name.isEmpty else { throw .invalid("Invalid experiment name: ''. Experiment name must not be empty.") }
        guard name.count <= maximumExperimentNameLength else {
            throw .invalid(
                "Experiment name '\(name.prefix(32))…' had length \(name.count), which exceeded length limit of \(maximumExperimentNameLength)"
            )
        }
        try printable(name, what: "Experiment name")
    }

    /// Names (of experiments, registered models) hold no control characters: a name that cannot
    /// be shown or typed could never be found again.
    public static func printable(_ name: String, what: String) throws(TrackingError) {
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("Invalid \(what.lowercased()): it contains a control character; use printable characters.")
        }
    }

    /// A param value, truncated to MLflow's limit (MLflow truncates rather than rejects by default).
    public static func paramValue(_ value: String) -> String {
        value.count <= maximumParamValueLength ? value : String(value.prefix(maximumParamValueLength))
    }

    /// A run tag value, truncated to MLflow's limit.
    public static func runTagValue(_ value: String) -> String {
        value.count <= maximumRunTagValueLength ? value : String(value.prefix(maximumRunTagValueLength))
    }

    /// Checks the sizes of a log-batch request.
    public static func batch(metrics: Int, params: Int, tags: Int) throws(TrackingError) {
        if metrics > maximumBatchMetrics {
            throw .invalid(
                "A batch logging request can contain at most \(maximumBatchMetrics) metrics. Got \(metrics) metrics. Please split up metrics across multiple requests and try again."
            )
        }
        if params > maximumBatchParams {
            throw .invalid(
                "A batch logging request can contain at most \(maximumBatchParams) params. Got \(params) params. Please split up params across multiple requests and try again."
            )
        }
        if tags > maximumBatchTags {
            throw .invalid(
                "A batch logging request can contain at most \(maximumBatchTags) tags. Got \(tags) tags. Please split up tags across multiple requests and try again."
            )
        }
        if metrics + params + tags > maximumBatchEntities {
            throw .invalid(
                "A batch logging request can contain at most \(maximumBatchEntities) metrics, params, and tags in total. Got \(metrics + params + tags) in total."
            )
        }
    }
}
