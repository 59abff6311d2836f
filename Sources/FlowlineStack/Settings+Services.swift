import Foundation
public import HTTPSupport
public import Logging
import Samples
import Serving
public import Storage
import Tracking

/// The settings of the servers: where they listen, where state lives, what they accept.
extension Settings {
    public static let dataDirectory = Setting<String>(
        option: "--data-dir",
        variables: ["FLOWLINE_DATA_DIR"],
        default: DataDirectory.defaultPath,
        summary: "The data directory, holding all state"
    )

    public static let host = Setting<String>(
        option: "--host",
        variables: ["FLOWLINE_HOST"],
        default: ServerPolicy.defaultHost,
        summary: "Address to listen on"
    )

    /// The database of every domain; `nil`: SQLite files in the data directory.
    public static let database = Setting<DatabaseURL?>(
        option: "--database",
        variables: ["FLOWLINE_DATABASE"],
        default: nil,
        shown: "SQLite files in the data directory",
        summary: "Database URL, sqlite:///path or postgresql://user:password@host:port/db",
        expected: "a database URL",
        isSecret: true
    ) { text throws(SettingsError) in
        if text.isEmpty { return .some(nil) }  // `--database ''`: the default
        do {
            return try DatabaseURL(text)
        } catch {
            throw SettingsError("\(error)")  // DatabaseURLError hides the password.
        }
    }

    public static let logLevel = Setting<Logger.Level>(
        option: "--log-level",
        variables: ["FLOWLINE_LOG_LEVEL"],
        default: .info,
        summary: "Log level: \(levelNames)",
        expected: "one of \(levelNames)",
        read: { Logger.Level(rawValue: $0.lowercased()) }
    )

    private static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    public static let allowedHosts = Setting<String>(
        option: "--allowed-hosts",
        variables: ["FLOWLINE_ALLOWED_HOSTS", "MLFLOW_SERVER_ALLOWED_HOSTS"],
        default: "",
        shown: "none",
        summary:
            "Host names the servers answer besides loopback and private addresses, comma-separated: name, name:port, *.domain, 192.168.*, or * for any"
    )

    public static let trustedOrigins = Setting<String>(
        option: "--trusted-origins",
        variables: ["FLOWLINE_TRUSTED_ORIGINS"],
        default: "",
        shown: "none",
        summary: "Web origins whose pages may write to the servers (https://app.example.com), comma-separated"
    )

    public static let samplesPort = Setting<Int>.port(
        option: "--samples-port",
        variable: "FLOWLINE_SAMPLES_PORT",
        default: SamplesConfiguration.defaultPort,
        summary: "Port of the line-samples API"
    )

    public static let samplesMaximum = Setting<Int>(
        option: "--max-samples",
        variables: ["FLOWLINE_SAMPLES_MAX"],
        default: SamplesConfiguration.defaultMaximumSamplesPerRequest,
        in: 1...Int.max,
        summary: "Largest n_samples one request may ask for",
        expected: "a whole number of at least 1"
    )

    public static let trackingPort = Setting<Int>.port(
        option: "--tracking-port",
        variable: "FLOWLINE_TRACKING_PORT",
        default: TrackingConfiguration.defaultPort,
        summary: "Port of the tracking server"
    )

    /// The largest artifact upload in bytes; `nil`: no limit.
    public static let maximumArtifactSize = Setting<Int64?>(
        option: "--max-artifact-size",
        variables: ["FLOWLINE_MAX_ARTIFACT_SIZE"],
        default: nil,
        shown: "no limit",
        summary: "The largest artifact upload: bytes, or with K, M or G",
        expected: "a size in bytes, like 500000000, 500M or 2G"
    ) { text in
        if text.isEmpty { return .some(nil) }  // `--max-artifact-size ''`: no limit
        guard let bytes = byteCount(text), bytes > 0 else { return nil }
        return bytes
    }

    /// What deleting or replacing an artifact needs; `nil`: nothing.
    public static let artifactsDeleteCredential = Setting<BasicCredential?>(
        option: "--artifacts-delete-credential",
        variables: ["FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL"],
        default: nil,
        shown: "none needed",
        summary: """
            USER:PASSWORD that deleting an artifact, or replacing one that exists, needs as HTTP basic auth \
            (MLFLOW_TRACKING_USERNAME/PASSWORD of the mlflow client); new files need none
            """,
        expected: "USER:PASSWORD",
        isSecret: true
    ) { text in
        if text.isEmpty { return .some(nil) }  // `--artifacts-delete-credential ''`: none
        guard let credential = BasicCredential(text) else { return nil }
        return credential
    }

    public static let servingPort = Setting<Int>.port(
        option: "--serving-port",
        variable: "FLOWLINE_SERVING_PORT",
        default: ServingConfiguration.defaultPort,
        summary: "Port of the model server"
    )

    /// `500`, `64K`, `500M`, `2G` (powers of 1024; a trailing `B` or `iB` is allowed).
    static func byteCount(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) { digits.removeLast(suffix.count) }
        let multipliers: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var multiplier: Int64 = 1
        if let last = digits.last, let factor = multipliers[last] {
            multiplier = factor
            digits.removeLast()
        }
        guard let value = Int64(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
