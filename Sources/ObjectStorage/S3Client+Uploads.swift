import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOHTTP1

extension S3Client {
    /// Stores the bytes of `chunks` as the object `key`, streaming: one request when they fit in
    /// one part, else a multipart upload with a few parts in flight (so memory stays at a few
    /// parts whatever the size). A refused or broken upload leaves no object behind, and no
    /// unfinished multipart upload either.
    /// - Parameters:
    ///   - length: the size, when known (it picks a larger part size for huge objects).
    ///   - limit: the most bytes accepted; past it the upload stops with ``S3Error/Kind/tooLarge``.
    ///   - ifAbsent: refuse (``S3Error/Kind/exists``) when an object is there already.
    /// - Returns: the number of bytes stored.
    public func upload<Chunks: AsyncSequence>(
        bucket: String,
        key: String,
        chunks: Chunks,
        length: Int64? = nil,
        limit: Int64 = .max,
        contentType: String? = nil,
        ifAbsent: Bool = false
    ) async throws -> Int64 where Chunks.Element == ByteBuffer {
        if let length, length > limit {
            throw S3Error(.tooLarge, "s3://\(bucket)/\(key) is \(length) bytes, more than the \(limit) allowed")
        }
        let size = Self.partSize(for: length)
        var parts = PartReader(chunks: chunks.makeAsyncIterator(), size: size, limit: limit, what: "s3://\(bucket)/\(key)")
        let first = try await parts.next() ?? ByteBuffer()
        // A first part shorter than a part is the whole stream: one request.
        guard first.readableBytes == size else {
            try await putObject(bucket: bucket, key: key, body: first, contentType: contentType, ifAbsent: ifAbsent)
            return Int64(first.readableBytes)
        }
        let upload = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType)
        do {
            // At most `partsInFlight` parts uploading and one filling: memory stays at a few parts.
            let etags = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var etags: [Int: String] = [:]
                var number = 0
                var pending: ByteBuffer? = first
                while let part = pending {
                    if number >= Self.partsInFlight, let (done, etag) = try await group.next() { etags[done] = etag }
                    number += 1
                    guard number <= Self.maximumParts else {
                        throw S3Error(.tooLarge, "s3://\(bucket)/\(key) needs more than \(Self.maximumParts) parts")
                    }
                    group.addTask { [number] in
                        (number, try await self.uploadPart(bucket: bucket, key: key, uploadID: upload, number: number, body: part))
                    }
                    pending = try await parts.next()
                }
                for try await (done, etag) in group { etags[done] = etag }
                return etags.sorted { $0.key < $1.key }.map { (number: $0.key, etag: $0.value) }
            }
            try await completeMultipartUpload(bucket: bucket, key: key, uploadID: upload, parts: etags, ifAbsent: ifAbsent)
        } catch {
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: upload)
            throw error
        }
        return parts.total
    }

    /// The part size for an object of `length` bytes: ``partSize``, or whole MiBs enough for
    /// ``maximumParts`` parts.
    static func partSize(for length: Int64?) -> Int {
        guard let length else { return partSize }
        let needed = (length + Int64(maximumParts) - 1) / Int64(maximumParts)
        let mebibytes = (needed + (1 << 20) - 1) >> 20
        return max(partSize, Int(mebibytes) << 20)
    }

    /// Starts a multipart upload to `key`.
    /// - Returns: its upload ID.
    public func createMultipartUpload(bucket: String, key: String, contentType: String? = nil) async throws -> String {
        let headers: [(name: String, value: String)] = contentType.map { [("Content-Type", $0)] } ?? []
        // Tried once: a retry after a lost answer would leave an upload nobody finishes.
        let response = try await send(Call(method: .POST, bucket: bucket, key: key, query: [("uploads", "")], headers: headers, attempts: 1))
        let data = try await response.body.collect(upTo: Self.maximumDocument)
        guard let result = try? S3XML.decode(S3XML.InitiateMultipartUploadResult.self, from: Data(data.readableBytesView)), !result.UploadId.isEmpty
        else {
            throw S3Error(.failed, "starting a multipart upload of s3://\(bucket)/\(key): the store's answer has no UploadId")
        }
        return result.UploadId
    }

    /// Uploads part `number` (1 to 10,000) of the upload `uploadID`.
    /// - Returns: the part's ETag.
    public func uploadPart(bucket: String, key: String, uploadID: String, number: Int, body: ByteBuffer) async throws -> String {
        let response = try await send(
            Call(
                method: .PUT,
                bucket: bucket,
                key: key,
                query: [("partNumber", String(number)), ("uploadId", uploadID)],
                headers: [("Content-Length", String(body.readableBytes))],
                body: body,
                signsBody: false
            )
        )
        _ = try await response.body.collect(upTo: Self.maximumDocument)
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Error(.failed, "uploading part \(number) of s3://\(bucket)/\(key): the store's answer has no ETag")
        }
        return etag
    }

    /// Joins the parts of the upload `uploadID` into the object.
    public func completeMultipartUpload(
        bucket: String,
        key: String,
        uploadID: String,
        parts: [(number: Int, etag: String)],
        ifAbsent: Bool = false
    ) async throws {
        let document = try S3XML.encode(
            S3XML.CompleteMultipartUpload(Part: parts.map { .init(PartNumber: $0.number, ETag: $0.etag) }),
            root: "CompleteMultipartUpload"
        )
        var headers: [(name: String, value: String)] = [("Content-Type", "application/xml"), ("Content-Length", String(document.count))]
        if ifAbsent { headers.append(("If-None-Match", "*")) }
        let call = Call(method: .POST, bucket: bucket, key: key, query: [("uploadId", uploadID)], headers: headers, body: ByteBuffer(bytes: document))
        let response: HTTPClientResponse
        do {
            response = try await send(call)
        } catch let error as S3Error where error.kind == .notFound {
            // A retry after a lost answer finds the upload done: the object is there.
            if try await objectSize(bucket: bucket, key: key) != nil { return }
            throw error
        }
        let answer = try await response.body.collect(upTo: Self.maximumDocument)
        // A 200 whose body is an <Error>: the store failed after it started answering.
        if S3XML.rootElement(of: Data(answer.readableBytesView)) == "Error" {
            let error = try? S3XML.decode(S3XML.ErrorBody.self, from: Data(answer.readableBytesView))
            throw S3Error(
                S3Error.kind(code: error?.Code, status: 500),
                status: 200,
                code: error?.Code,
                "\(call.what): completing the multipart upload failed: \(error?.Code ?? "")\(error?.Message.map { ": " + $0 } ?? "")"
            )
        }
    }

    /// Abandons the upload `uploadID`, deleting its parts.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        let response = try await send(Call(method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)], accepted: [404]))
        _ = try await response.body.collect(upTo: Self.maximumDocument)
    }

    /// A presigned URL for `method` on `key` (and `query`), valid for `expires`: whoever holds it
    /// may send that request without credentials (MLflow's multipart uploads hand these to clients).
    public func presignedURL(
        method: String,
        bucket: String,
        key: String,
        query: [(name: String, value: String)] = [],
        expires: Duration
    ) throws -> URL {
        let target = try endpoint.target(bucket: bucket, key: key)
        let signed = signer.presignedQuery(
            .init(method: method, path: target.path, query: query, headers: [("Host", target.host)], payloadHash: "UNSIGNED-PAYLOAD"),
            date: Date(),
            expires: expires
        )
        return try endpoint.target(bucket: bucket, key: key, query: signed).url
    }
}

/// Reads a stream of chunks as parts of a fixed size, counting what passes and stopping past a limit.
struct PartReader<Chunks: AsyncIteratorProtocol> where Chunks.Element == ByteBuffer {
    var chunks: Chunks
    let size: Int
    let limit: Int64
    let what: String
    var total: Int64 = 0
    /// What is left of the last chunk after the part it filled.
    private var carry: ByteBuffer?
    private var ended = false

    init(chunks: Chunks, size: Int, limit: Int64, what: String) {
        self.chunks = chunks
        self.size = size
        self.limit = limit
        self.what = what
    }

    /// The next part: `size` bytes, fewer for the last; `nil` once the stream has ended.
    mutating func next() async throws -> ByteBuffer? {
        var part = ByteBuffer()
        part.reserveCapacity(size)
        while part.readableBytes < size {
            var chunk: ByteBuffer
            if let carried = carry {
                chunk = carried
                carry = nil
            } else {
                guard !ended, let next = try await chunks.next() else {
                    ended = true
                    break
                }
                chunk = next
                total += Int64(chunk.readableBytes)
                if total > limit { throw S3Error(.tooLarge, "\(what) is larger than the \(limit) bytes allowed") }
            }
            let room = size - part.readableBytes
            if chunk.readableBytes > room, let head = chunk.readSlice(length: room) {
                part.writeImmutableBuffer(head)
                carry = chunk
            } else {
                part.writeBuffer(&chunk)
            }
        }
        return part.readableBytes == 0 && ended ? nil : part
    }
}
