public import Foundation

/// Where finished tries' logs are kept when servers share no folder (an object store): a try's log
/// is written in the server's own logs folder while it runs, archived here once it ended, and
/// restored into the logs folder of a server that shows it and has no copy.
public protocol LogArchive: Sendable {
    /// Stores the log `file` as `relativePath` (its path below the logs folder), replacing one there.
    func archive(_ file: URL, as relativePath: String) async throws

    /// Writes the archived log `relativePath` to `file`, whole or not at all.
    /// - Returns: `false` when none is archived.
    func restore(_ relativePath: String, to file: URL) async throws -> Bool
}
