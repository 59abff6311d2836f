public import Foundation
public import NIOCore
public import RunStorage

#if canImport(Glibc)
import Glibc
#endif

/// A ``RunStorage`` in an S3-compatible bucket (`--run-storage s3://bucket/prefix`): servers and
/// workers on any machine share it with no shared file system.
///
/// Layout: `<prefix>/<dag>/<run>/<task>/<path>`, the ids encoded as ``FolderRunStorage`` encodes
/// them (so none is `.` or `..`, holds a `/` or starts with `+`), paths as ``StoredPath`` allows;
/// the tries' logs are kept below `<prefix>/+logs/`. An object appears whole or not at all: a
/// refused or broken upload leaves none (``S3Client/upload(bucket:key:chunks:length:limit:contentType:ifAbsent:)``).
public struct S3RunStorage: RunStorage, LogArchive {
    public let client: S3Client
    public let location: S3Location

    public init(client: S3Client, location: S3Location) {
        self.client = client
        self.location = location
    }

    public func put<Chunks: AsyncSequence>(_ key: TaskDataKey, path: String, chunks: Chunks, limit: Int64) async throws -> Int64
    where Chunks.Element == ByteBuffer {
        let object = try objectKey(key, path: path)
        return try await mapped("\(path) of \(key)") {
            try await client.upload(bucket: location.bucket, key: object, chunks: chunks, limit: limit)
        }
    }

    public func put(_ key: TaskDataKey, path: String, from file: URL, limit: Int64) async throws -> Int64 {
        let object = try objectKey(key, path: path)
        let (descriptor, size) = try RegularFile.openForReading(file.path, name: file.path)
        guard size <= limit else {
            close(descriptor)
            throw RunStorageError(.tooLarge, "\(file.path) (\(size) bytes) is larger than the limit of \(limit) bytes")
        }
        return try await mapped("\(path) of \(key)") {
            try await client.upload(
                bucket: location.bucket,
                key: object,
                chunks: ByteChunks.reading(descriptor: descriptor),
                length: size,
                limit: limit
            )
        }
    }

    public func get(_ key: TaskDataKey, path: String) async throws -> StoredContents {
        let object = try objectKey(key, path: path)
        let download = try await mapped("\(path) of \(key)") { try await client.getObject(bucket: location.bucket, key: object) }
        return StoredContents(size: download.size ?? 0, chunks: .iterating(download.body))
    }

    public func list(_ key: TaskDataKey) async throws -> [StoredFile] {
        let prefix = try taskPrefix(key)
        let listing = try await mapped("the data of \(key)") { try await client.list(bucket: location.bucket, prefix: prefix) }
        return listing.objects.map { StoredFile(path: String($0.key.dropFirst(prefix.count)), size: $0.size) }.sorted { $0.path < $1.path }
    }

    public func delete(_ key: TaskDataKey) async throws {
        let prefix = try taskPrefix(key)
        try await mapped("the data of \(key)") { _ = try await client.deleteAll(bucket: location.bucket, prefix: prefix) }
    }

    public func deleteRun(dagID: String, runID: String) async throws {
        let prefix = base + (try FolderRunStorage.encode(dagID)) + "/" + (try FolderRunStorage.encode(runID)) + "/"
        try await mapped("the data of run '\(runID)' of DAG '\(dagID)'") { _ = try await client.deleteAll(bucket: location.bucket, prefix: prefix) }
    }

    // MARK: Logs

    public func archive(_ file: URL, as relativePath: String) async throws {
        let data = try Data(contentsOf: file)
        try await mapped("the log \(relativePath)") {
            _ = try await client.putObject(
                bucket: location.bucket,
                key: logsPrefix + relativePath,
                body: ByteBuffer(bytes: data),
                contentType: "text/plain; charset=utf-8"
            )
        }
    }

    public func restore(_ relativePath: String, to file: URL) async throws -> Bool {
        let download: S3Download
        do {
            download = try await client.getObject(bucket: location.bucket, key: logsPrefix + relativePath)
        } catch let error as S3Error where error.kind == .notFound {
            return false
        } catch let error as S3Error {
            throw Self.runStorageError(error, what: "the log \(relativePath)")
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".restore-\(UUID().uuidString)")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw RunStorageError(.io, "cannot create \(temporary.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        do {
            for try await chunk in download.body {
                let failure = chunk.writeWhole(to: descriptor)
                if failure != 0 { throw RunStorageError(.io, "cannot write \(temporary.path): \(String(cString: strerror(failure)))") }
            }
            guard rename(temporary.path, file.path) == 0 else { throw RunStorageError(.io, "cannot restore \(file.path)") }
        } catch {
            unlink(temporary.path)
            throw error
        }
        return true
    }

    // MARK: Keys

    /// The prefix everything is below, ending with `/` (empty for the top of the bucket).
    var base: String { location.prefix.isEmpty ? "" : location.prefix + "/" }
    var logsPrefix: String { base + "+logs/" }

    func taskPrefix(_ key: TaskDataKey) throws(RunStorageError) -> String {
        base + (try FolderRunStorage.encode(key.dagID)) + "/" + (try FolderRunStorage.encode(key.runID)) + "/"
            + (try FolderRunStorage.encode(key.taskID)) + "/"
    }

    func objectKey(_ key: TaskDataKey, path: String) throws(RunStorageError) -> String {
        if let problem = StoredPath.problem(path) { throw RunStorageError(.invalidPath, problem) }
        let object = try taskPrefix(key) + path
        guard object.utf8.count <= S3Location.maximumKeyLength else {
            throw RunStorageError(.invalidPath, "\(path) of \(key) makes an object key longer than \(S3Location.maximumKeyLength) bytes")
        }
        return object
    }

    /// Runs `body`, turning the store's errors about `what` into ``RunStorageError``s.
    func mapped<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw Self.runStorageError(error, what: what)
        }
    }

    static func runStorageError(_ error: S3Error, what: String) -> RunStorageError {
        switch error.kind {
        case .notFound: RunStorageError(.notFound, "\(what) is not stored")
        case .tooLarge: RunStorageError(.tooLarge, "\(what): \(error.message)")
        default: RunStorageError(.io, "\(what): \(error.message)")
        }
    }
}
