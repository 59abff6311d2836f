public import Foundation
public import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Artifacts on the local file system under one root folder (`--artifacts-destination PATH`), streamed both ways so that files of
/// any size never sit whole in memory. Uploads land under a temporary name and are renamed into
/// place when complete, so a failed upload never leaves a partial file behind. Symbolic links under
/// the root are never followed: a path through one is refused, so nothing planted there can make
/// the server read or write outside its root.
public struct FolderArtifactStore: ArtifactRepository {
    /// The root folder (`--artifacts-destination`).
    public let root: URL
    /// The largest upload, in bytes (`--max-artifact-size`); `nil` for no limit.
    public let maximumSize: Int64?
    private let fileIO = FileIO()

    public init(root: String, maximumSize: Int64? = nil) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        self.maximumSize = maximumSize
    }

    /// Where `path` is on disk.
    /// - Throws: ``TrackingError`` when a part of it that exists is a symbolic link.
    func location(of path: ArtifactPath) throws(TrackingError) -> URL {
        var location = root
        for segment in path.segments {
            location.appendPathComponent(segment)
            var status = stat()
            if lstat(location.path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
                throw .invalid("Invalid path: '\(path)' goes through a symbolic link, which artifacts may not")
            }
        }
        return location
    }

    /// Stores the bytes of `body` at `path`, replacing a file that is there when `replacing`.
    /// - Throws: ``TrackingError`` when a folder is in the way or the file cannot be written;
    ///   ``ArtifactExists`` when a file is there and `replacing` is false (checked before the body
    ///   is read, and again, atomically, as the file is put in place).
    public func write(_ body: RequestBody, length: Int64?, to path: ArtifactPath, replacing: Bool, context: some RequestContext) async throws {
        guard !path.isRoot else { throw TrackingError.invalid("Invalid path: an artifact needs a file name") }
        let target = try location(of: path)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw TrackingError.invalid("Invalid path: '\(path)' is a directory of artifacts") }
            if !replacing { throw ArtifactExists(path: path) }
        }
        do {
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw TrackingError.invalid("Invalid path: cannot create the folder of '\(path)': a file is in the way")
        }
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".upload-\(UUID().uuidString)-\(path.name)")
        do {
            try await fileIO.writeFile(
                contents: SizeLimitedBody(body: body, limit: maximumSize ?? .max, path: path),
                path: temporary.path,
                context: context
            )
            if !replacing {
                // link(2) never replaces: a file put there meanwhile stays. A file system without
                // hard links falls back to looking, then renaming.
                if link(temporary.path, target.path) == 0 {
                    try? manager.removeItem(at: temporary)
                    return
                }
                if errno == EEXIST || manager.fileExists(atPath: target.path) { throw ArtifactExists(path: path) }
            }
            // rename(2) replaces the target atomically: readers see the old file or the new one.
            guard rename(temporary.path, target.path) == 0 else {
                throw TrackingError(.internalError, "cannot move the upload of '\(path)' into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? manager.removeItem(at: temporary)
            throw error
        }
    }

    /// A streaming body of the file at `path`, and its size.
    /// - Throws: ``TrackingError`` 404 when there is no such file.
    public func read(_ path: ArtifactPath, context: some RequestContext) async throws -> ResponseBody {
        let target = try location(of: path)
        var isDirectory: ObjCBool = false
        guard !path.isRoot, FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TrackingError.notFound("No such artifact: '\(path)'")
        }
        return try await fileIO.loadFile(path: target.path, context: context)
    }

    /// The first `limit` bytes of the file at `path` and its whole size (for showing it inline).
    /// - Throws: ``TrackingError`` 404 when there is no such file.
    public func prefix(_ path: ArtifactPath, limit: Int) async throws -> (data: Data, size: Int64) {
        let target = try location(of: path)
        var isDirectory: ObjCBool = false
        guard !path.isRoot, FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = try? FileHandle(forReadingFrom: target)
        else {
            throw TrackingError.notFound("No such artifact: '\(path)'")
        }
        defer { try? handle.close() }
        let size = Int64((try? handle.seekToEnd()) ?? 0)
        try handle.seek(toOffset: 0)
        return ((try handle.read(upToCount: limit)) ?? Data(), size)
    }

    /// The entries of the folder at `path`, sorted by name; empty when there is no such folder.
    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        let folder = try location(of: path)
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return [] }
        return try names.filter { !$0.hasPrefix(".upload-") }.sorted().compactMap { name in
            let attributes = try manager.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            let type = attributes[.type] as? FileAttributeType
            // Symbolic links are not artifacts: listing them would show what they point at.
            guard type != .typeSymbolicLink else { return nil }
            let isDirectory = type == .typeDirectory
            return ArtifactEntry(name: name, isDirectory: isDirectory, size: isDirectory ? nil : (attributes[.size] as? NSNumber)?.int64Value)
        }
    }

    /// Deletes the file or folder at `path`; nothing to delete is not an error.
    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw TrackingError.invalid("Invalid path: refusing to delete every artifact") }
        let target = try location(of: path)
        if FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.removeItem(at: target)
        }
    }
}
