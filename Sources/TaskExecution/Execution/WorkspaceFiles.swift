import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the server puts into a run's workspace: a saved response, a python task's context, a
/// project's checkout.
///
/// With a task user (`--task-user`) the workspace belongs to that user, who may have planted
/// symbolic links in it, while the server runs as root. So the server never follows a link there:
/// it prepares each file or folder in a staging folder of its own (``stagingURL()``), gives it to
/// the user, and renames it into place through folders opened one by one with `O_NOFOLLOW`
/// (created, and given to the user, where missing); what was at that place it removes the same way.
struct WorkspaceFiles: Sendable {
    /// The run's workspace.
    let workspace: URL
    /// A folder only the server can reach, on the same file system as the workspaces.
    let staging: URL
    let user: TaskUser?

    /// Where to prepare a file or folder for ``place(_:at:)``: a new path in the staging folder.
    func stagingURL() throws -> URL {
        try Folders.ensure(staging, permissions: 0o700)
        return staging.appendingPathComponent(UUID().uuidString)
    }

    /// Writes `data` to `path` (relative to the workspace), replacing what was there.
    /// - Returns: the written file's URL.
    @discardableResult
    func write(_ data: Data, to path: String) throws -> URL {
        let staged = try stagingURL()
        try data.write(to: staged)
        return try place(staged, at: path)
    }

    /// Moves `staged` (from ``stagingURL()``) to `path` in the workspace, replacing what was there.
    /// - Returns: the placed file or folder's URL.
    @discardableResult
    func place(_ staged: URL, at path: String) throws -> URL {
        defer { try? FileManager.default.removeItem(at: staged) }  // still there only on failure
        let parts = try WorkspacePath.components(path)
        try user?.handOver(staged)
        let stagingFolder = try Self.openFolder(staging.path)
        defer { close(stagingFolder) }
        let parent = try openParent(of: parts, path: path)
        defer { close(parent) }
        let name = parts[parts.count - 1]
        try Self.remove(name, in: parent, path: path)
        guard renameat(stagingFolder, staged.lastPathComponent, parent, name) == 0 else {
            throw TaskFailure("cannot put \(path) into the workspace: \(String(cString: strerror(errno)))")
        }
        return workspace.appendingPathComponent(parts.joined(separator: "/"))
    }

    /// The folder that holds the last of `parts`, opened without following links; missing folders
    /// are created and given to the user.
    private func openParent(of parts: [String], path: String) throws -> Int32 {
        var folder = try Self.openFolder(workspace.path)
        for part in parts.dropLast() {
            var next = OpenFolder.open(part, in: folder)
            if next < 0, errno == ENOENT, mkdirat(folder, part, 0o755) == 0 || errno == EEXIST {
                if let user { _ = fchownat(folder, part, user.uid, user.gid, AT_SYMLINK_NOFOLLOW) }
                next = OpenFolder.open(part, in: folder)
            }
            let problem = next < 0 ? String(cString: strerror(errno)) : nil
            close(folder)
            if let problem { throw TaskFailure("cannot put \(path) into the workspace: '\(part)' is not a folder (\(problem))") }
            folder = next
        }
        return folder
    }

    private static func openFolder(_ path: String) throws -> Int32 {
        let folder = OpenFolder.open(path)
        guard folder >= 0 else { throw TaskFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        return folder
    }

    /// Removes the entry `name` of the open folder `parent`, whatever it is, without following a
    /// link: a folder is emptied through descriptors opened with `O_NOFOLLOW`, so swapping one of
    /// its folders for a link meanwhile only gets the link removed.
    private static func remove(_ name: String, in parent: Int32, path: String) throws {
        let folder = OpenFolder.open(name, in: parent)
        if folder >= 0 {
            let read = try OpenFolder.visit(folder) { folder, names in
                for name in names { try remove(name, in: folder, path: path) }
            }
            guard read else { throw failure(path) }
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT else { throw failure(path) }
        } else if errno == ENOENT {
            return
        } else {
            guard unlinkat(parent, name, 0) == 0 || errno == ENOENT else { throw failure(path) }
        }
    }

    private static func failure(_ path: String) -> TaskFailure {
        TaskFailure("cannot replace \(path) in the workspace: \(String(cString: strerror(errno)))")
    }
}
