import Foundation
import NIOCore
import RunStorage

#if canImport(Glibc)
import Glibc
#endif

/// Reads a try's outputs from its workspace and writes its inputs into it, never following a link
/// a task planted there (with `--task-user` the server runs as root in a folder the task user
/// owns): files are opened through folders opened one by one with `O_NOFOLLOW`, and inputs are
/// written to the staging folder and renamed into place (``WorkspaceFiles``).
struct WorkspaceData: Sendable {
    /// The most files one folder output may hold.
    static let maximumFilesPerFolder = 10_000

    let files: WorkspaceFiles

    /// The files of the declared output `declared`: itself, or every regular file under it when it
    /// is a folder (ending with `/`), by path relative to the workspace.
    /// - Throws: ``TaskFailure`` naming the output when it is missing, a link or not a regular file.
    func outputFiles(_ declared: String) throws -> [String] {
        guard StoredPath.isFolder(declared) else { return [declared] }
        let parts = try WorkspacePath.components(declared)
        let folder = try openFolder(parts, declared: declared)
        var found: [String] = []
        try collect(folder, prefix: parts.joined(separator: "/") + "/", into: &found, declared: declared)
        return found.sorted()
    }

    /// The workspace file `path` opened for reading, with its size.
    /// - Throws: ``TaskFailure`` naming `declared` when the file is missing, a link or not a regular file.
    func openFile(_ path: String, declared: String) throws -> (descriptor: Int32, size: Int64) {
        let parts = try WorkspacePath.components(path)
        let parent = try openFolder(Array(parts.dropLast()), declared: declared)
        defer { close(parent) }
        let descriptor = openat(parent, parts[parts.count - 1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw missing(path, declared: declared, error: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw TaskFailure("the declared output '\(declared)': '\(path)' is not a regular file")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return (descriptor, Int64(status.st_size))
    }

    /// Writes `chunks` (`size` bytes) to `path` in the workspace, replacing what was there.
    /// - Throws: ``TaskFailure`` when the stream is not `size` bytes long or writing fails; what
    ///   `chunks` throws.
    func write(_ chunks: ByteChunks, size: Int64, to path: String) async throws {
        let staged = try files.stagingURL()
        let descriptor = open(staged.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw TaskFailure("cannot create \(staged.path): \(String(cString: strerror(errno)))") }
        var open = true
        defer {
            if open { close(descriptor) }
            unlink(staged.path)  // still there only on failure
        }
        var total: Int64 = 0
        for try await chunk in chunks {
            total += Int64(chunk.readableBytes)
            guard total <= size else { throw TaskFailure("'\(path)' is longer than its \(size) bytes") }
            try Self.write(chunk, to: descriptor, path: path)
        }
        guard total == size else { throw TaskFailure("'\(path)' ended after \(total) of its \(size) bytes") }
        open = false
        guard close(descriptor) == 0 else { throw TaskFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
        try files.place(staged, at: path)
    }

    // MARK: Walking the workspace

    /// The workspace folder of `parts`, opened without following links.
    private func openFolder(_ parts: [String], declared: String) throws -> Int32 {
        var folder = OpenFolder.open(files.workspace.path)
        guard folder >= 0 else { throw TaskFailure("cannot open the workspace: \(String(cString: strerror(errno)))") }
        for (index, part) in parts.enumerated() {
            let next = OpenFolder.open(part, in: folder)
            let error = errno
            close(folder)
            guard next >= 0 else { throw missing(parts[...index].joined(separator: "/"), declared: declared, error: error) }
            folder = next
        }
        return folder
    }

    /// Adds the regular files under the open folder `folder` (closed here) to `found`.
    private func collect(_ folder: Int32, prefix: String, into found: inout [String], declared: String) throws {
        var subfolders: [(Int32, String)] = []
        defer { for (child, _) in subfolders { close(child) } }
        let read = try OpenFolder.visit(folder) { folder, names in
            for name in names.sorted() {
                var status = stat()
                guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG:
                    found.append(prefix + name)
                    guard found.count <= Self.maximumFilesPerFolder else {
                        throw TaskFailure("the declared output '\(declared)' holds more than \(Self.maximumFilesPerFolder) files")
                    }
                case S_IFDIR:
                    let child = OpenFolder.open(name, in: folder)
                    if child >= 0 { subfolders.append((child, prefix + name + "/")) }
                case S_IFLNK:
                    throw TaskFailure("the declared output '\(declared)' holds '\(prefix + name)', a symbolic link; outputs are regular files")
                default:
                    continue
                }
            }
        }
        guard read else { throw TaskFailure("cannot read the declared output '\(declared)': \(String(cString: strerror(errno)))") }
        while !subfolders.isEmpty {
            let (child, childPrefix) = subfolders.removeFirst()
            try collect(child, prefix: childPrefix, into: &found, declared: declared)
        }
    }

    private func missing(_ path: String, declared: String, error: Int32) -> TaskFailure {
        switch error {
        case ENOENT:
            TaskFailure("the declared output '\(declared)' is not in the workspace: the task did not write '\(path)'")
        case ELOOP, ENOTDIR:
            TaskFailure(
                "the declared output '\(declared)': '\(path)' is a symbolic link or not what it should be; outputs are regular files in folders"
            )
        default:
            TaskFailure("cannot read the declared output '\(declared)' ('\(path)'): \(String(cString: strerror(error)))")
        }
    }

    private static func write(_ chunk: ByteBuffer, to descriptor: Int32, path: String) throws {
        let failure = chunk.writeWhole(to: descriptor)
        if failure != 0 { throw TaskFailure("cannot write \(path): \(String(cString: strerror(failure)))") }
    }
}
