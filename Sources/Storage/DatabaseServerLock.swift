import Foundation

/// Keeps a second server off an SQLite database: an exclusive `flock` on `<file>.server-lock` next
/// to the database file, held while a `flowline server` or `flowline up` runs on it (whatever its
/// data directory), released when the value is deinitialized or the process ends.
///
/// Several servers on one database need PostgreSQL, which elects one scheduler among them; on
/// SQLite the one server is always the scheduler.
public final class DatabaseServerLock: Sendable {
    private let lock: ExclusiveFileLock

    /// The lock file's suffix, after the database file's name.
    public static let suffix = ".server-lock"

    private init(lock: ExclusiveFileLock) {
        self.lock = lock
    }

    /// Takes the server lock of `url` when it is an SQLite file; `nil` for other databases (an
    /// in-memory SQLite database is the process's own; PostgreSQL takes any number of servers).
    /// - Throws: ``DatabaseError`` naming the file and the holder's pid when another server runs on
    ///   the database, or when the lock file cannot be opened.
    public static func take(for url: DatabaseURL) throws(DatabaseError) -> DatabaseServerLock? {
        guard case .sqlite(let path) = url else { return nil }
        do {
            // Before the database is opened, its folder may not exist yet.
            try? FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            return DatabaseServerLock(lock: try ExclusiveFileLock(path: path + suffix))
        } catch {
            switch error {
            case .cannotOpen(let reason):
                throw DatabaseError("cannot open \(path + suffix) to lock the SQLite database \(path): \(reason)")
            case .held(let pid):
                throw DatabaseError(
                    "the SQLite database \(path) is in use by another Flowline server\(pid.map { " (pid \($0))" } ?? ""); "
                        + "an SQLite database has one server: stop that one, or run several servers on PostgreSQL (--database postgresql://…)"
                )
            }
        }
    }
}
