/// The environment a task's processes start from: a short allow-list of the server's own
/// variables (locale, time zone, proxies, certificates), the names an admin passes through
/// (`--task-env`), and nothing else — never the server's secrets (`FLOWLINE_ADMIN_PASSWORD`, a
/// `FLOWLINE_DATABASE` URL with its password, cloud credentials). The task's own `env`, Flowline's
/// `FLOWLINE_*` variables and what an operator sets (`MLFLOW_RUN_ID`) come on top.
public struct TaskEnvironment: Sendable, Equatable {
    /// Variables every task gets from the server's environment when set there.
    public static let allowed: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM",
        "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    ]

    /// More names to pass through from the server's environment (`--task-env`), e.g. a cloud
    /// region or `PYTHONPATH`; an admin's decision, since tasks can read them.
    public var passThrough: Set<String>

    public init(passThrough: Set<String> = []) {
        self.passThrough = passThrough
    }

    /// The variables of `server` that tasks may see: the allow-list, `LC_*`, and ``passThrough``.
    public func base(from server: [String: String]) -> [String: String] {
        server.filter { name, _ in Self.allowed.contains(name) || name.hasPrefix("LC_") || passThrough.contains(name) }
    }

    /// Checks `--task-env` names: letters, digits and `_`, not starting with a digit.
    /// - Returns: what is wrong, or `nil`.
    public static func problem(passing names: some Sequence<String>) -> String? {
        for name in names {
            guard let first = name.unicodeScalars.first, !("0"..."9").contains(first),
                name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
            else { return "'\(name)' is not an environment variable name (letters, digits and _)" }
        }
        return nil
    }
}
