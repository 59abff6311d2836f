import Foundation
import Storage
import Testing

@Suite("Database URLs")
struct DatabaseURLTests {
    static let base = URL(fileURLWithPath: "/srv/flowline", isDirectory: true)

    @Test(
        "SQLite URLs as SQLAlchemy spells them",
        arguments: [
            ("sqlite:///mlflow.db", DatabaseURL.sqlite(path: "/srv/flowline/mlflow.db")),
            ("sqlite:///data/x.db", .sqlite(path: "/srv/flowline/data/x.db")),
            ("sqlite:////var/lib/flowline.db", .sqlite(path: "/var/lib/flowline.db")),
            ("sqlite:///:memory:", .sqliteInMemory),
            ("sqlite://", .sqliteInMemory),
        ]
    )
    func sqlite(text: String, expected: DatabaseURL) throws {
        #expect(try DatabaseURL(text, relativeTo: Self.base) == expected)
    }

    @Test("PostgreSQL URLs")
    func postgresql() throws {
        let url = try DatabaseURL("postgresql://flow:p%40ss@db.local:6543/tracking?sslmode=require&search_path=fl")
        guard case .postgresql(let location) = url else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(location.host == "db.local")
        #expect(location.port == 6543)
        #expect(location.username == "flow")
        #expect(location.password == "p@ss")
        #expect(location.database == "tracking")
        #expect(location.tls == .require)
        #expect(location.searchPath == "fl")
        #expect(!url.description.contains("p@ss") && !url.description.contains("p%40ss"))
        guard case .postgresql(let plain) = try DatabaseURL("postgres://u@localhost/db") else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(plain.port == 5432 && plain.password == nil && plain.tls == .disable)
        #expect(throws: Never.self) { try DatabaseURL("postgresql+psycopg2://u:p@h/db") }
    }

    @Test(
        "Unusable URLs are explained without showing the password",
        arguments: [
            "mysql://u:secret@h/db", "postgresql://u:secret@h", "postgresql://h/db", "sqlite:///", "not a url", "",
            "postgresql://u:secret@h/db?sslmode=sometimes",
        ]
    )
    func invalid(text: String) {
        let error = #expect(throws: DatabaseURLError.self) { try DatabaseURL(text) }
        #expect(error?.description.contains("secret") == false)
        #expect(error?.description.contains("postgresql://user:password@host:5432/database") == true)
    }
}
