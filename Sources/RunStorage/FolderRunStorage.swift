public import Foundation
public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A ``RunStorage`` in a folder of this machine (by default `<data-dir>/run-storage`; servers that
/// share work share it, e.g. over NFS).
///
/// Layout: `<folder>/<dag>/<run>/<task>/<path>`, each id one folder name, percent-encoded
/// (``encode(_:)``) so that no id can be `.`, `..`, hold a `/` or start with `+`; paths follow
/// ``StoredPath``. A file is written to `<folder>/+tmp/` (a name no encoded id can have), synced,
/// then renamed into place, so readers see a whole file or none. Files are read and written with
/// plain system calls, one chunk at a time; links are never followed.
public struct FolderRunStorage: RunStorage {
    /// The folder that holds everything.
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public func put<Chunks: AsyncSequence>(_ key: TaskDataKey, path: String, chunks: Chunks, limit: Int64) async throws -> Int64
    where Chunks.Element == ByteBuffer {
        let destination = try fileURL(key, path: path)
        let temporary = try temporaryURL()
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw Self.ioError("cannot create \(temporary.path)") }
        var closed = false
        var placed = false
        defer {
            if !closed { close(descriptor) }
            if !placed { unlink(temporary.path) }
        }
        var total: Int64 = 0
        for try await chunk in chunks {
            total += Int64(chunk.readableBytes)
            guard total <= limit else {
                throw RunStorageError(.tooLarge, "\(path) of \(key) is larger than the limit of \(limit) bytes")
            }
            try Self.write(chunk, to: descriptor, path: path)
        }
        guard fsync(descriptor) == 0 else { throw Self.ioError("cannot sync \(path)") }
        closed = true
        guard close(descriptor) == 0 else { throw Self.ioError("cannot write \(path)") }
        try Self.makeFolders(destination.deletingLastPathComponent())
        guard rename(temporary.path, destination.path) == 0 else { throw Self.ioError("cannot store \(path) of \(key)") }
        placed = true
        return total
    }

    public func put(_ key: TaskDataKey, path: String, from file: URL, limit: Int64) async throws -> Int64 {
        _ = try fileURL(key, path: path)
        let (descriptor, size) = try RegularFile.openForReading(file.path, name: file.path)
        guard size <= limit else {
            close(descriptor)
            throw RunStorageError(.tooLarge, "\(file.path) (\(size) bytes) is larger than the limit of \(limit) bytes")
        }
        return try await put(key, path: path, chunks: ByteChunks.reading(descriptor: descriptor), limit: limit)
    }

    public func get(_ key: TaskDataKey, path: String) async throws -> StoredContents {
        let (descriptor, size) = try RegularFile.openForReading(try fileURL(key, path: path).path, name: "\(path) of \(key)")
        return StoredContents(size: size, chunks: .reading(descriptor: descriptor))
    }

    public func list(_ key: TaskDataKey) async throws -> [StoredFile] {
        let root = try taskURL(key)
        var files: [StoredFile] = []
        var pending: [(url: URL, prefix: String)] = [(root, "")]
        let manager = FileManager.default
        while let (url, prefix) = pending.popLast() {
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: url.path)
            } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
                continue
            } catch {
                throw RunStorageError(.io, "cannot list \(url.path): \(error)")
            }
            for name in names {
                let child = url.appendingPathComponent(name)
                var status = stat()
                guard lstat(child.path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: pending.append((child, prefix + name + "/"))
                case S_IFREG: files.append(StoredFile(path: prefix + name, size: Int64(status.st_size)))
                default: continue
                }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    public func delete(_ key: TaskDataKey) async throws {
        try remove(try taskURL(key))
    }

    public func deleteRun(dagID: String, runID: String) async throws {
        try remove(folder.appendingPathComponent(try Self.encode(dagID)).appendingPathComponent(try Self.encode(runID)))
    }

    // MARK: Paths

    /// The folder of `key`'s task.
    /// - Throws: ``RunStorageError`` `invalidPath` for an id that cannot be a folder name.
    func taskURL(_ key: TaskDataKey) throws(RunStorageError) -> URL {
        folder.appendingPathComponent(try Self.encode(key.dagID), isDirectory: true)
            .appendingPathComponent(try Self.encode(key.runID), isDirectory: true)
            .appendingPathComponent(try Self.encode(key.taskID), isDirectory: true)
    }

    /// Where the file `path` of `key`'s task is stored.
    /// - Throws: ``RunStorageError`` `invalidPath` for a path ``StoredPath`` refuses.
    func fileURL(_ key: TaskDataKey, path: String) throws(RunStorageError) -> URL {
        if let problem = StoredPath.problem(path) { throw RunStorageError(.invalidPath, problem) }
        return try taskURL(key).appendingPathComponent(path, isDirectory: false)
    }

    /// `id` as one folder name: letters, digits, `_`, `-` and `~` as they are, every other byte
    /// (`.` included, so no name is `.` or `..`) as `%XX`.
    /// - Throws: ``RunStorageError`` `invalidPath` for an empty id or one whose name would be too long.
    public static func encode(_ id: String) throws(RunStorageError) -> String {
        let name = PercentEncoding.encode(id, encodingDots: true)
        guard !name.isEmpty, name.utf8.count <= StoredPath.maximumPartLength else {
            throw RunStorageError(.invalidPath, "the id '\(id.prefix(80))' cannot name stored data (empty, or too long once encoded)")
        }
        return name
    }

    private func temporaryURL() throws -> URL {
        // Only the server reads stored data (task processes may run as another user).
        try Self.makeFolders(folder, permissions: 0o700)
        let temporary = folder.appendingPathComponent("+tmp", isDirectory: true)
        try Self.makeFolders(temporary)
        return temporary.appendingPathComponent(UUID().uuidString)
    }

    /// Removes `url` (a task's or a run's folder): first renamed into `+tmp`, so that it
    /// disappears at once, then deleted.
    private func remove(_ url: URL) throws {
        let trash = try temporaryURL()
        guard rename(url.path, trash.path) == 0 else {
            if errno == ENOENT { return }
            throw Self.ioError("cannot delete \(url.path)")
        }
        do {
            try FileManager.default.removeItem(at: trash)
        } catch {
            throw RunStorageError(.io, "cannot delete \(trash.path): \(error)")
        }
    }

    // MARK: System calls

    /// Creates `url` and its parents unless it is a folder already.
    /// - Parameter permissions: the mode of `url` when this creates it.
    private static func makeFolders(_ url: URL, permissions: Int? = nil) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { return }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            if let permissions { try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path) }
        } catch {
            throw RunStorageError(.io, "cannot create \(url.path): \(error)")
        }
    }

    private static func write(_ chunk: ByteBuffer, to descriptor: Int32, path: String) throws(RunStorageError) {
        let failure = chunk.writeWhole(to: descriptor)
        if failure != 0 { throw RunStorageError(.io, "cannot write \(path): \(String(cString: strerror(failure)))") }
    }

    private static func ioError(_ message: String) -> RunStorageError {
        RunStorageError(.io, "\(message): \(String(cString: strerror(errno)))")
    }
}
