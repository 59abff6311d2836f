public import Foundation
public import Hummingbird
import NIOCore
public import ObjectStorage

/// Artifacts in an S3-compatible bucket below a prefix (`--artifacts-destination s3://bucket/prefix`,
/// or a run's own `s3://` artifact URI): each artifact is the object `<prefix>/<path>`, folders are
/// the key prefixes between. Uploads stream to the store in parts (``S3Client/upload(bucket:key:chunks:length:limit:contentType:ifAbsent:)``),
/// downloads stream back as they arrive, listings page through as many objects as there are.
public struct S3ArtifactStore: ArtifactRepository {
    public let client: S3Client
    public let location: S3Location
    public let maximumSize: Int64?

    /// How long the presigned URL of a multipart upload's part may be used.
    public static let partURLLifetime: Duration = .seconds(3600)

    public init(client: S3Client, location: S3Location, maximumSize: Int64? = nil) {
        self.client = client
        self.location = location
        self.maximumSize = maximumSize
    }

    public var supportsMultipartUpload: Bool { true }

    /// The object key of the file at `path`.
    func key(_ path: ArtifactPath) throws(TrackingError) -> String {
        guard !path.isRoot else { throw .invalid("Invalid path: an artifact needs a file name") }
        do {
            return try location.key(path.description)
        } catch {
            throw .invalid("Invalid path: '\(path)': \(error.description)")
        }
    }

    /// The key prefix of the folder at `path`, ending with `/` (empty for the top of a bucket).
    func folder(_ path: ArtifactPath) throws(TrackingError) -> String {
        path.isRoot ? (location.prefix.isEmpty ? "" : location.prefix + "/") : try key(path) + "/"
    }

    public func write(_ body: RequestBody, length: Int64?, to path: ArtifactPath, replacing: Bool, context: some RequestContext) async throws {
        let key = try key(path)
        try await mapped(path) {
            if !replacing, try await client.objectSize(bucket: location.bucket, key: key) != nil { throw ArtifactExists(path: path) }
            _ = try await client.upload(
                bucket: location.bucket,
                key: key,
                chunks: body,
                length: length,
                limit: maximumSize ?? .max,
                ifAbsent: !replacing
            )
        }
    }

    public func read(_ path: ArtifactPath, context: some RequestContext) async throws -> ResponseBody {
        let key = try key(path)
        // In ranges, a few at once: a large artifact downloads at the store's speed.
        let reader = try await mapped(path) { try await client.openObject(bucket: location.bucket, key: key) }
        return ResponseBody(contentLength: Int(reader.size)) { writer in
            try await reader.write { try await writer.write($0) }
            try await writer.finish(nil)
        }
    }

    public func prefix(_ path: ArtifactPath, limit: Int) async throws -> (data: Data, size: Int64) {
        let key = try key(path)
        let (data, size) = try await mapped(path) { try await client.objectPrefix(bucket: location.bucket, key: key, limit: limit) }
        return (Data(data.readableBytesView), size)
    }

    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        let folder = try folder(path)
        let listing = try await mapped(path) { try await client.list(bucket: location.bucket, prefix: folder, delimiter: "/") }
        let files = listing.objects.map { ArtifactEntry(name: String($0.key.dropFirst(folder.count)), isDirectory: false, size: $0.size) }
        let folders = listing.folders.map { ArtifactEntry(name: String($0.dropFirst(folder.count).dropLast()), isDirectory: true, size: nil) }
        // A folder's own marker object ("folder/") has no name of its own.
        return (files + folders).filter { !$0.name.isEmpty }.sorted { $0.name < $1.name }
    }

    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw TrackingError.invalid("Invalid path: refusing to delete every artifact") }
        let key = try key(path)
        try await mapped(path) {
            try await client.deleteObject(bucket: location.bucket, key: key)
            try await client.deleteAll(bucket: location.bucket, prefix: key + "/")
        }
    }

    public func createMultipartUpload(_ path: ArtifactPath, parts: Int, replacing: Bool) async throws -> MultipartUpload {
        guard (1...S3Client.maximumParts).contains(parts) else {
            throw TrackingError.invalid("num_parts must be from 1 to \(S3Client.maximumParts), not \(parts)")
        }
        let key = try key(path)
        return try await mapped(path) {
            if !replacing, try await client.objectSize(bucket: location.bucket, key: key) != nil { throw ArtifactExists(path: path) }
            let upload = try await client.createMultipartUpload(bucket: location.bucket, key: key)
            let urls = try (1...parts).map { number in
                try client.presignedURL(
                    method: "PUT",
                    bucket: location.bucket,
                    key: key,
                    query: [("partNumber", String(number)), ("uploadId", upload)],
                    expires: Self.partURLLifetime
                )
            }
            return MultipartUpload(uploadID: upload, partURLs: urls)
        }
    }

    public func completeMultipartUpload(_ path: ArtifactPath, uploadID: String, parts: [MultipartUpload.Part]) async throws {
        let key = try key(path)
        guard !parts.isEmpty, parts.count <= S3Client.maximumParts else {
            throw TrackingError.invalid("parts must list from 1 to \(S3Client.maximumParts) uploaded parts")
        }
        let ordered = parts.sorted { $0.number < $1.number }.map { (number: $0.number, etag: $0.etag) }
        try await mapped(path) {
            try await client.completeMultipartUpload(bucket: location.bucket, key: key, uploadID: uploadID, parts: ordered)
            // The parts went straight to the store: the size is checked once they are joined.
            if let maximumSize, let size = try await client.objectSize(bucket: location.bucket, key: key), size > maximumSize {
                try await client.deleteObject(bucket: location.bucket, key: key)
                throw SizeLimitedBody.tooLarge(path, size: size, limit: maximumSize)
            }
        }
    }

    public func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws {
        let key = try key(path)
        try await mapped(path) { try await client.abortMultipartUpload(bucket: location.bucket, key: key, uploadID: uploadID) }
    }

    /// Runs `body`, turning the store's errors about `path` into MLflow's.
    func mapped<T>(_ path: ArtifactPath, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw Self.trackingError(error, path: path, limit: maximumSize)
        }
    }

    /// MLflow's error for the store's `error` about `path`.
    static func trackingError(_ error: S3Error, path: ArtifactPath, limit: Int64?) -> any Error {
        switch error.kind {
        case .notFound: return TrackingError.notFound("No such artifact: '\(path)'")
        case .exists: return ArtifactExists(path: path)
        case .tooLarge: return SizeLimitedBody.tooLarge(path, limit: limit ?? .max)
        case .unreachable: return TrackingError(.temporarilyUnavailable, "The artifact store is unavailable: \(error.message)")
        case .noSuchBucket, .credentialsRefused, .failed: return TrackingError(.internalError, "The artifact store refused: \(error.message)")
        }
    }
}
