/// A place in an S3-compatible store, as `s3://bucket/prefix` names it (MLflow's artifact roots,
/// `--artifacts-destination`, `--run-storage`).
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    /// The key prefix, without leading or trailing `/`; empty for the bucket's top.
    public var prefix: String

    /// The longest object key S3 accepts, in UTF-8 bytes.
    public static let maximumKeyLength = 1024

    /// Parses `s3://bucket[/prefix]`.
    /// - Throws: ``S3LocationError`` saying what to fix.
    public init(_ uri: String) throws(S3LocationError) {
        guard uri.hasPrefix("s3://") else { throw S3LocationError("'\(uri.prefix(200))' is not an s3:// URI (s3://bucket/prefix)") }
        let rest = uri.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        if let problem = Self.bucketProblem(bucket) { throw S3LocationError(problem) }
        let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
        if let problem = Self.keyProblem(prefix) { throw S3LocationError(problem) }
        self.bucket = bucket
        self.prefix = prefix
    }

    /// The key of `path` (relative, `/`-separated) below the prefix.
    /// - Throws: ``S3LocationError`` for a path that is empty, climbs (`..`), or makes too long a key.
    public func key(_ path: String) throws(S3LocationError) -> String {
        let parts = path.split(separator: "/")
        guard !parts.isEmpty else { throw S3LocationError("an object needs a name below \(self)") }
        let key = (prefix.isEmpty ? [] : [prefix]) + parts.map(String.init)
        let joined = key.joined(separator: "/")
        if let problem = Self.keyProblem(joined) { throw S3LocationError(problem) }
        return joined
    }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    /// Why `name` cannot name a bucket (S3's rules: 3 to 63 lowercase letters, digits, dots and
    /// hyphens, starting and ending with a letter or digit), or `nil`.
    static func bucketProblem(_ name: String) -> String? {
        func letterOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let allowed = name.utf8.allSatisfy { letterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        let ends = [name.utf8.first, name.utf8.last].allSatisfy { $0.map(letterOrDigit) ?? false }
        guard (3...63).contains(name.utf8.count), allowed, ends, !name.contains("..") else {
            return
                "'\(name.prefix(80))' is not a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
        }
        return nil
    }

    /// Why `key` cannot be an object key (too long, a `.` or `..` part, a control character), or `nil`.
    static func keyProblem(_ key: String) -> String? {
        if key.utf8.count > maximumKeyLength { return "an object key may hold at most \(maximumKeyLength) bytes" }
        if key.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) { return "'\(key.prefix(200))' has a '.' or '..' part" }
        if key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "an object key may not hold control characters"
        }
        return nil
    }
}

/// A bad `s3://` URI or object path, with what to fix.
public struct S3LocationError: Error, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
