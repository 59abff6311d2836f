import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1

/// An object being downloaded in ranges: its size is known once the first range answered, and
/// ``write(to:)`` hands its bytes over in order while the next ranges are fetched, a few at once.
public struct S3ObjectReader: Sendable {
    public let size: Int64
    let client: S3Client
    let bucket: String
    let key: String
    let etag: String?
    let partSize: Int
    /// The first range's body; `nil` for an empty object.
    let first: S3Download.Body?

    /// Calls `sink` with the object's bytes in order: the first range as it streams in, the others
    /// fetched ``S3Client/partsInFlight`` at a time (so memory stays at a few parts) and checked to
    /// belong to the same version of the object (`If-Match`).
    public func write(to sink: (ByteBuffer) async throws -> Void) async throws {
        let parts = Int((size + Int64(partSize) - 1) / Int64(partSize))
        try await withThrowingTaskGroup(of: (Int, ByteBuffer).self) { group in
            var scheduled = 1
            var written = 0
            var arrived: [Int: ByteBuffer] = [:]
            func schedule() {
                while scheduled < parts, scheduled - written <= S3Client.partsInFlight {
                    let index = scheduled
                    group.addTask { (index, try await self.fetch(index)) }
                    scheduled += 1
                }
            }
            schedule()
            if let first { for try await chunk in first { try await sink(chunk) } }
            written = 1
            while written < parts {
                if let part = arrived.removeValue(forKey: written) {
                    try await sink(part)
                    written += 1
                    schedule()
                    continue
                }
                guard let (index, part) = try await group.next() else { break }
                arrived[index] = part
            }
        }
    }

    /// Range `index`, whole, tried again when its answer breaks off.
    func fetch(_ index: Int) async throws -> ByteBuffer {
        let start = Int64(index) * Int64(partSize)
        let end = min(start + Int64(partSize), size) - 1
        var headers: [(name: String, value: String)] = [("Range", "bytes=\(start)-\(end)")]
        if let etag { headers.append(("If-Match", etag)) }
        var attempt = 0
        while true {
            attempt += 1
            let response = try await client.send(S3Client.Call(method: .GET, bucket: bucket, key: key, headers: headers))
            do {
                let part = try await response.body.collect(upTo: partSize)
                guard Int64(part.readableBytes) == end - start + 1 else {
                    throw S3Error(.failed, "GET s3://\(bucket)/\(key): bytes \(start)-\(end) came back as \(part.readableBytes) bytes")
                }
                return part
            } catch let error as S3Error {
                throw error
            } catch {
                guard attempt < client.retries.attempts else { throw error }
                try await Task.sleep(for: client.retries.delay(before: attempt))
            }
        }
    }
}

extension S3Client {
    /// Opens the object `key` for a download in ranges (``S3ObjectReader``): the first range is
    /// asked at once, so a missing object is an error before any byte is sent on.
    /// - Throws: ``S3Error`` (`notFound` when there is none).
    public func openObject(bucket: String, key: String) async throws -> S3ObjectReader {
        let size = Self.partSize
        let response = try await send(
            Call(method: .GET, bucket: bucket, key: key, headers: [("Range", "bytes=0-\(size - 1)")], accepted: [416], timeout: nil)
        )
        // An empty object has no range to give (416), or answers whole.
        if response.status.code == 416 {
            _ = try? await response.body.collect(upTo: Self.maximumDocument)
            return S3ObjectReader(size: 0, client: self, bucket: bucket, key: key, etag: nil, partSize: size, first: nil)
        }
        let whole =
            response.headers.first(name: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
            ?? response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        return S3ObjectReader(
            size: whole,
            client: self,
            bucket: bucket,
            key: key,
            etag: response.headers.first(name: "ETag"),
            partSize: size,
            first: S3Download.Body(base: response.body)
        )
    }
}
