import AsyncHTTPClient
import Crypto
import Foundation
public import NIOCore
import NIOHTTP1

/// One object of a listing.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
}

/// A listing below a prefix: the objects there and, with a delimiter, the "folders" (common prefixes).
public struct S3Listing: Sendable, Equatable {
    public var objects: [S3Object] = []
    /// Whole prefixes, each ending with the delimiter.
    public var folders: [String] = []
}

/// A downloaded object: its size, and its bytes as they arrive (iterate `body` once).
public struct S3Download: Sendable {
    public var size: Int64?
    public var contentType: String?
    public var body: Body

    /// The object's bytes, chunk by chunk as the store sends them.
    public struct Body: AsyncSequence, Sendable {
        public typealias Element = ByteBuffer
        let base: HTTPClientResponse.Body

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: HTTPClientResponse.Body.AsyncIterator

            public mutating func next() async throws -> ByteBuffer? {
                try await base.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator())
        }
    }
}

extension S3Client {
    /// Checks that `bucket` exists and that the credentials may list it: what a server checks at start.
    /// - Throws: ``S3Error`` (`noSuchBucket`, `credentialsRefused`, `unreachable`).
    public func checkBucket(_ bucket: String) async throws {
        let response = try await send(
            Call(method: .GET, bucket: bucket, key: nil, query: [("list-type", "2"), ("max-keys", "1")], timeout: .seconds(30))
        )
        _ = try await response.body.collect(upTo: Self.maximumDocument)
    }

    /// Stores `body` as the object `key`, in one request.
    /// - Parameter ifAbsent: refuse (``S3Error/Kind/exists``) when an object is there (`If-None-Match: *`).
    /// - Returns: the object's ETag.
    @discardableResult
    public func putObject(bucket: String, key: String, body: ByteBuffer, contentType: String? = nil, ifAbsent: Bool = false) async throws -> String {
        var headers: [(name: String, value: String)] = [("Content-Length", String(body.readableBytes))]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if ifAbsent { headers.append(("If-None-Match", "*")) }
        let response = try await send(Call(method: .PUT, bucket: bucket, key: key, headers: headers, body: body, signsBody: false))
        _ = try await response.body.collect(upTo: Self.maximumDocument)
        return response.headers.first(name: "ETag") ?? ""
    }

    /// The object `key`, streamed as it arrives.
    /// - Throws: ``S3Error`` (`notFound` when there is none).
    public func getObject(bucket: String, key: String) async throws -> S3Download {
        let response = try await send(Call(method: .GET, bucket: bucket, key: key, timeout: nil))
        return S3Download(
            size: response.headers.first(name: "Content-Length").flatMap { Int64($0) },
            contentType: response.headers.first(name: "Content-Type"),
            body: S3Download.Body(base: response.body)
        )
    }

    /// The first `limit` bytes of the object `key` (a ranged GET) and its whole size.
    public func objectPrefix(bucket: String, key: String, limit: Int) async throws -> (data: ByteBuffer, size: Int64) {
        guard limit > 0 else { return (ByteBuffer(), try await objectSize(bucket: bucket, key: key) ?? 0) }
        let response = try await send(Call(method: .GET, bucket: bucket, key: key, headers: [("Range", "bytes=0-\(limit - 1)")], accepted: [416]))
        if response.status.code == 416 { return (ByteBuffer(), 0) }
        let data = try await response.body.collect(upTo: limit)
        // Content-Range: bytes 0-99/1234 has the whole size; without a range, Content-Length.
        let size =
            response.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
            ?? response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? Int64(data.readableBytes)
        return (data, size)
    }

    /// The size of the object `key`, or `nil` when there is none.
    public func objectSize(bucket: String, key: String) async throws -> Int64? {
        let response = try await send(Call(method: .HEAD, bucket: bucket, key: key, accepted: [404], timeout: .seconds(60)))
        guard response.status.code != 404 else { return nil }
        return response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
    }

    /// Every object below `prefix` (a page of up to 1,000 at a time, as many pages as there are);
    /// with `delimiter`, the objects directly below it and the folders.
    public func list(bucket: String, prefix: String, delimiter: String? = nil) async throws -> S3Listing {
        var listing = S3Listing()
        try await forEachPage(bucket: bucket, prefix: prefix, delimiter: delimiter) { page in
            listing.objects += page.objects
            listing.folders += page.folders
        }
        return listing
    }

    /// Calls `body` with each page of the listing below `prefix`, in key order.
    public func forEachPage(
        bucket: String,
        prefix: String,
        delimiter: String? = nil,
        _ body: (S3Listing) async throws -> Void
    ) async throws {
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix)]
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send(Call(method: .GET, bucket: bucket, key: nil, query: query))
            let data = try await response.body.collect(upTo: Self.maximumDocument)
            let result: S3XML.ListBucketResult
            do {
                result = try S3XML.decode(S3XML.ListBucketResult.self, from: Data(data.readableBytesView))
            } catch {
                throw S3Error(.failed, "listing s3://\(bucket)/\(prefix): the store's answer is not a ListBucketResult: \(error)")
            }
            try await body(
                S3Listing(
                    objects: (result.Contents ?? []).map { S3Object(key: $0.Key, size: $0.Size ?? 0) },
                    folders: (result.CommonPrefixes ?? []).map(\.Prefix)
                )
            )
            token = result.IsTruncated == true ? result.NextContinuationToken : nil
        } while token != nil
    }

    /// Deletes the object `key`; none there is not an error.
    public func deleteObject(bucket: String, key: String) async throws {
        let response = try await send(Call(method: .DELETE, bucket: bucket, key: key, accepted: [404]))
        _ = try await response.body.collect(upTo: Self.maximumDocument)
    }

    /// Deletes every object below `prefix`, a thousand per request.
    /// - Returns: how many were deleted.
    @discardableResult
    public func deleteAll(bucket: String, prefix: String) async throws -> Int {
        var deleted = 0
        try await forEachPage(bucket: bucket, prefix: prefix) { page in
            try await deleteObjects(bucket: bucket, keys: page.objects.map(\.key))
            deleted += page.objects.count
        }
        return deleted
    }

    /// Deletes the objects `keys` (at most 1,000) in one DeleteObjects request.
    public func deleteObjects(bucket: String, keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        precondition(keys.count <= 1000, "DeleteObjects takes at most 1,000 keys")
        let document = try S3XML.encode(S3XML.Delete(Quiet: true, Object: keys.map { .init(Key: $0) }), root: "Delete")
        let md5 = Data(Insecure.MD5.hash(data: document)).base64EncodedString()
        let response = try await send(
            Call(
                method: .POST,
                bucket: bucket,
                key: nil,
                query: [("delete", "")],
                headers: [("Content-MD5", md5), ("Content-Type", "application/xml"), ("Content-Length", String(document.count))],
                body: ByteBuffer(bytes: document)
            )
        )
        let answer = try await response.body.collect(upTo: Self.maximumDocument)
        let result = try? S3XML.decode(S3XML.DeleteResult.self, from: Data(answer.readableBytesView))
        if let failure = result?.Error?.first {
            throw S3Error(
                S3Error.kind(code: failure.Code, status: 200),
                code: failure.Code,
                "deleting s3://\(bucket)/\(failure.Key ?? "?"): \(failure.Code ?? "refused"): \(failure.Message ?? "")"
            )
        }
    }
}
