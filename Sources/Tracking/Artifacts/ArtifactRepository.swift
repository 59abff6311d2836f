public import Foundation
public import Hummingbird

/// Where artifacts are stored: a folder (``FolderArtifactStore``) or an S3-compatible bucket
/// (``S3ArtifactStore``). Paths are relative to the repository's root and checked
/// (``ArtifactPath``); bodies stream both ways, so that no artifact sits whole in memory.
public protocol ArtifactRepository: Sendable {
    /// The largest upload, in bytes (`--max-artifact-size`); `nil` for no limit.
    var maximumSize: Int64? { get }

    /// Stores the bytes of `body` (`length` of them, when known) at `path`, replacing a file that
    /// is there when `replacing`. A refused or broken upload leaves nothing behind.
    /// - Throws: ``TrackingError`` (400 for a path that cannot be a file, 413 past
    ///   ``maximumSize``); ``ArtifactExists`` when a file is there and `replacing` is false.
    func write(_ body: RequestBody, length: Int64?, to path: ArtifactPath, replacing: Bool, context: some RequestContext) async throws

    /// A streaming body of the file at `path`.
    /// - Throws: ``TrackingError`` 404 when there is no such file.
    func read(_ path: ArtifactPath, context: some RequestContext) async throws -> ResponseBody

    /// The first `limit` bytes of the file at `path` and its whole size (for showing it inline).
    /// - Throws: ``TrackingError`` 404 when there is no such file.
    func prefix(_ path: ArtifactPath, limit: Int) async throws -> (data: Data, size: Int64)

    /// The entries of the folder at `path`, sorted by name; empty when there is no such folder.
    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]

    /// Deletes the file or folder at `path`; nothing to delete is not an error.
    func delete(_ path: ArtifactPath) async throws

    /// Whether clients may upload large files in parts straight to the store (`mpu/…`, and
    /// `multipart_uploads_enabled` in server-info).
    var supportsMultipartUpload: Bool { get }

    /// Starts an upload of `parts` parts to `path` that the client sends straight to the store
    /// (MLflow's `mpu/create`): its ID and a presigned URL per part.
    /// - Throws: ``TrackingError`` 501 when the repository has no such uploads (a folder);
    ///   ``ArtifactExists`` when a file is there and `replacing` is false.
    func createMultipartUpload(_ path: ArtifactPath, parts: Int, replacing: Bool) async throws -> MultipartUpload

    /// Joins the uploaded parts (`mpu/complete`); a file past ``maximumSize`` is deleted again (413).
    func completeMultipartUpload(_ path: ArtifactPath, uploadID: String, parts: [MultipartUpload.Part]) async throws

    /// Abandons the upload (`mpu/abort`).
    func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws
}

/// One entry of a listing.
public struct ArtifactEntry: Sendable, Equatable {
    public var name: String
    public var isDirectory: Bool
    /// Bytes; `nil` for folders.
    public var size: Int64?

    public init(name: String, isDirectory: Bool, size: Int64?) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}

/// An upload to a path where a file exists, which the caller may not replace.
public struct ArtifactExists: Error, Sendable {
    public let path: ArtifactPath
}

/// A multipart upload the client sends straight to the store.
public struct MultipartUpload: Sendable, Equatable {
    public var uploadID: String
    /// Where each part goes, by part number from 1.
    public var partURLs: [URL]

    /// A part the client uploaded: its number and the ETag the store answered.
    public struct Part: Sendable, Equatable {
        public var number: Int
        public var etag: String

        public init(number: Int, etag: String) {
            self.number = number
            self.etag = etag
        }
    }
}

extension ArtifactRepository {
    /// MLflow's answer when the artifact repository has no multipart uploads; its client then
    /// falls back to a plain upload.
    static var multipartUnsupported: TrackingError {
        TrackingError(.notImplemented, "Multipart upload is not supported for the current artifact repository")
    }

    public var supportsMultipartUpload: Bool { false }

    public func createMultipartUpload(_ path: ArtifactPath, parts: Int, replacing: Bool) async throws -> MultipartUpload {
        throw Self.multipartUnsupported
    }

    public func completeMultipartUpload(_ path: ArtifactPath, uploadID: String, parts: [MultipartUpload.Part]) async throws {
        throw Self.multipartUnsupported
    }

    public func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws {
        throw Self.multipartUnsupported
    }
}
