import Foundation

/// Paths that tasks give relative to their run's workspace.
enum WorkspacePath {
    /// `path` inside `workspace`; paths that leave it (`..`, absolute) are refused.
    static func resolve(_ path: String, in workspace: URL) throws -> URL {
        workspace.appendingPathComponent(try components(path).joined(separator: "/"))
    }

    /// The folders and name of `path` (without `.` and empty parts).
    /// - Throws: ``TaskFailure`` for a path that leaves the workspace (`..`, absolute) or names
    ///   nothing.
    static func components(_ path: String) throws -> [String] {
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
            throw TaskFailure("'\(path)' must be a relative path inside the run's workspace")
        }
        return parts
    }
}
