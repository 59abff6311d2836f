public import Foundation

/// Where a Flowline database lives, parsed from a URL as MLflow and SQLAlchemy spell them.
///
/// - `sqlite:///relative/path.db` (three slashes: relative to the working directory),
///   `sqlite:////absolute/path.db` (four), `sqlite:///:memory:` or `sqlite://` (in memory).
/// - `postgresql://user:password@host:port/database` (also `postgres://` and
///   `postgresql+psycopg2://`), with `?sslmode=disable|prefer|require` (default `disable`) and
///   `?search_path=schema` to keep Flowline's tables in a schema of their own.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case sqliteInMemory
    case postgresql(PostgreSQLLocation)

    /// A PostgreSQL server and database.
    public struct PostgreSQLLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// The schema(s) tables are created and found in; the server's default when `nil`.
        public var searchPath: String?

        public enum TLSMode: String, Sendable {
            case disable, prefer, require
        }
    }

    /// Parses `text`, resolving relative SQLite paths against `base`.
    /// - Throws: ``DatabaseURLError`` saying what is wrong and what a valid URL looks like.
    public init(_ text: String, relativeTo base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)) throws {
        if text == "sqlite://" || text == "sqlite:///:memory:" || text == "sqlite://:memory:" {
            self = .sqliteInMemory
            return
        }
        if text.hasPrefix("sqlite:///") {
            let path = String(text.dropFirst("sqlite:///".count))
            guard !path.isEmpty else { throw DatabaseURLError(text, "it names no file") }
            let baseDirectory = URL(fileURLWithPath: base.path, isDirectory: true)
            self = .sqlite(path: URL(fileURLWithPath: path, relativeTo: baseDirectory).standardizedFileURL.path)
            return
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw DatabaseURLError(text, "it is not a URL")
        }
        guard ["postgresql", "postgres"].contains(scheme) || scheme.hasPrefix("postgresql+") else {
            throw DatabaseURLError(text, "the scheme '\(scheme)' is not supported")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError(text, "it names no host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError(text, "it names no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DatabaseURLError(text, "it names no database") }
        var tls = PostgreSQLLocation.TLSMode.disable
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            guard let parsed = PostgreSQLLocation.TLSMode(rawValue: mode) else {
                throw DatabaseURLError(text, "sslmode must be disable, prefer or require")
            }
            tls = parsed
        }
        self = .postgresql(
            PostgreSQLLocation(
                host: host,
                port: components.port ?? 5432,
                username: user.removingPercentEncoding ?? user,
                password: components.password.map { $0.removingPercentEncoding ?? $0 },
                database: database.removingPercentEncoding ?? database,
                tls: tls,
                searchPath: components.queryItems?.first(where: { $0.name == "search_path" })?.value
            )
        )
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:///\(path)"
        case .sqliteInMemory: "sqlite:///:memory:"
        case .postgresql(let location):
            "postgresql://\(location.username)\(location.password == nil ? "" : ":***")@\(location.host):\(location.port)/\(location.database)"
                + (location.searchPath.map { "?search_path=\($0)" } ?? "")
        }
    }
}

/// A database URL Flowline cannot use; the message says why and shows valid forms.
public struct DatabaseURLError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ url: String, _ problem: String) {
        let shown = url.replacingOccurrences(of: #":[^:@/]*@"#, with: ":***@", options: .regularExpression)
        description =
            "cannot use the database URL '\(shown)': \(problem). Use sqlite:///relative/path.db, "
            + "sqlite:////absolute/path.db or postgresql://user:password@host:5432/database"
    }
}
