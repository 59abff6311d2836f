public import Foundation
import RunStorage

extension OrchestratorFolders {
    /// Archives the log `file` of an ended try (``logArchive``) and removes the server's copy; with
    /// no archive, does nothing (the logs folder is where logs live).
    public func archiveLog(_ file: URL) async throws {
        guard let logArchive, let relative = relativeLogPath(file), FileManager.default.fileExists(atPath: file.path) else { return }
        try await logArchive.archive(file, as: relative)
        try? FileManager.default.removeItem(at: file)
    }

    /// Where to read the log `file` from: the file itself while this server has it (a try that
    /// runs, or ended before an archive was configured), else a copy of the archived log in
    /// ``logCache`` (fetched once; a cache, which may be deleted at any time).
    public func readableLog(_ file: URL) async -> URL {
        guard let logArchive, let relative = relativeLogPath(file), !FileManager.default.fileExists(atPath: file.path) else { return file }
        let copy = logCache.appendingPathComponent(relative, isDirectory: false)
        if FileManager.default.fileExists(atPath: copy.path) { return copy }
        return ((try? await logArchive.restore(relative, to: copy)) ?? false) ? copy : file
    }

    /// Copies of archived logs, below `cache/logs` next to the workspaces.
    public var logCache: URL {
        workspaces.deletingLastPathComponent().appendingPathComponent("cache", isDirectory: true).appendingPathComponent("logs", isDirectory: true)
    }

    /// The path of `file` below ``logs``, or `nil` when it is not below it.
    func relativeLogPath(_ file: URL) -> String? {
        let folder = logs.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        guard path.hasPrefix(folder) else { return nil }
        return String(path.dropFirst(folder.count))
    }
}
