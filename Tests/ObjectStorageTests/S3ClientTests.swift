import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import ObjectStorage

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The S3 client against a real store (SeaweedFS, which checks signatures, started by
/// scripts/test.sh), and against a fake one for what a real one will not do on demand (5xx).
@Suite("S3 client")
struct S3ClientTests {
    struct Broken: Error {}

    /// `count` bytes of a repeating, position-dependent pattern, in chunks of `chunk` bytes.
    static func pattern(_ count: Int, chunk: Int = 64 << 10) -> [ByteBuffer] {
        stride(from: 0, to: count, by: chunk).map { start in
            ByteBuffer(bytes: (start..<min(start + chunk, count)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) })
        }
    }

    static func stream(_ chunks: [ByteBuffer]) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    static func digest(_ chunks: [ByteBuffer]) -> SHA256.Digest {
        var hash = SHA256()
        for chunk in chunks { hash.update(data: Data(chunk.readableBytesView)) }
        return hash.finalize()
    }

    static func download(_ client: S3Client, _ bucket: String, _ key: String) async throws -> (size: Int64?, digest: SHA256.Digest, count: Int) {
        let download = try await client.getObject(bucket: bucket, key: key)
        var hash = SHA256()
        var count = 0
        for try await chunk in download.body {
            hash.update(data: Data(chunk.readableBytesView))
            count += chunk.readableBytes
        }
        return (download.size, hash.finalize(), count)
    }

    @Test("Objects: put, size, ranged prefix, get, list by folder, delete", arguments: [TestObjectStore.Kind.seaweedfs, .moto])
    func objects(kind: TestObjectStore.Kind) async throws {
        let store = try TestObjectStore(kind)
        try await store.withClient { client async throws in
            let bucket = store.bucket
            try await client.checkBucket(bucket)
            for name in ["a.txt", "sub/b.txt", "sub/deeper/c.txt", "name with spaces+plus&é.txt"] {
                try await client.putObject(bucket: bucket, key: "\(store.prefix)/\(name)", body: ByteBuffer(string: "contents of \(name)"))
            }
            #expect(try await client.objectSize(bucket: bucket, key: "\(store.prefix)/a.txt") == 17)
            #expect(try await client.objectSize(bucket: bucket, key: "\(store.prefix)/missing") == nil)
            let prefix = try await client.objectPrefix(bucket: bucket, key: "\(store.prefix)/sub/b.txt", limit: 4)
            #expect(String(buffer: prefix.data) == "cont" && prefix.size == 21)
            let odd = try await Self.download(client, bucket, "\(store.prefix)/name with spaces+plus&é.txt")
            #expect(odd.count == "contents of name with spaces+plus&é.txt".utf8.count)

            let top = try await client.list(bucket: bucket, prefix: "\(store.prefix)/", delimiter: "/")
            #expect(Set(top.objects.map(\.key)) == ["\(store.prefix)/a.txt", "\(store.prefix)/name with spaces+plus&é.txt"])
            #expect(top.folders == ["\(store.prefix)/sub/"])
            #expect(try await client.list(bucket: bucket, prefix: "\(store.prefix)/").objects.count == 4)

            await #expect {
                _ = try await client.getObject(bucket: bucket, key: "\(store.prefix)/missing")
            } throws: { error in
                (error as? S3Error)?.kind == .notFound
            }
            #expect(try await client.deleteAll(bucket: bucket, prefix: "\(store.prefix)/sub/") == 2)
            try await client.deleteObject(bucket: bucket, key: "\(store.prefix)/a.txt")
            try await client.deleteObject(bucket: bucket, key: "\(store.prefix)/a.txt")  // none there: fine
            #expect(
                try await client.list(bucket: bucket, prefix: "\(store.prefix)/").objects.map(\.key) == [
                    "\(store.prefix)/name with spaces+plus&é.txt"
                ]
            )
        }
    }

    @Test(
        "A stream of 20 MiB is uploaded in parts and downloads byte for byte; a small one in one request",
        arguments: [TestObjectStore.Kind.seaweedfs, .moto]
    )
    func streamingUpload(kind: TestObjectStore.Kind) async throws {
        let store = try TestObjectStore(kind)
        try await store.withClient { client async throws in
            let chunks = Self.pattern(20 << 20 + 12345, chunk: 100_000)
            let key = "\(store.prefix)/big.bin"
            let stored = try await client.upload(bucket: store.bucket, key: key, chunks: Self.stream(chunks))
            #expect(stored == 20 << 20 + 12345)
            let back = try await Self.download(client, store.bucket, key)
            #expect(back.size == stored && back.count == Int(stored))
            #expect(back.digest == Self.digest(chunks))
            // In ranges, several at once, handed over in order.
            let reader = try await client.openObject(bucket: store.bucket, key: key)
            #expect(reader.size == stored)
            var ranged = SHA256()
            var count = 0
            try await reader.write { chunk in
                ranged.update(data: Data(chunk.readableBytesView))
                count += chunk.readableBytes
            }
            #expect(count == Int(stored) && ranged.finalize() == Self.digest(chunks))

            let small = Self.pattern(1000)
            #expect(try await client.upload(bucket: store.bucket, key: "\(store.prefix)/small", chunks: Self.stream(small)) == 1000)
            #expect(try await Self.download(client, store.bucket, "\(store.prefix)/small").digest == Self.digest(small))
            #expect(try await client.upload(bucket: store.bucket, key: "\(store.prefix)/empty", chunks: Self.stream([ByteBuffer]())) == 0)
            #expect(try await client.objectSize(bucket: store.bucket, key: "\(store.prefix)/empty") == 0)
            let empty = try await client.openObject(bucket: store.bucket, key: "\(store.prefix)/empty")
            var emptyCount = 0
            try await empty.write { emptyCount += $0.readableBytes }
            #expect(empty.size == 0 && emptyCount == 0)
            let smallReader = try await client.openObject(bucket: store.bucket, key: "\(store.prefix)/small")
            var smallCount = 0
            try await smallReader.write { smallCount += $0.readableBytes }
            #expect(smallReader.size == 1000 && smallCount == 1000)
            try await client.deleteAll(bucket: store.bucket, prefix: store.prefix + "/")
        }
    }

    @Test("An upload past its limit, or whose stream breaks, leaves no object behind", arguments: [TestObjectStore.Kind.seaweedfs, .moto])
    func refusedUploads(kind: TestObjectStore.Kind) async throws {
        let store = try TestObjectStore(kind)
        try await store.withClient { client async throws in
            let key = "\(store.prefix)/refused.bin"
            await #expect {
                _ = try await client.upload(bucket: store.bucket, key: key, chunks: Self.stream(Self.pattern(18 << 20)), limit: 17 << 20)
            } throws: { error in
                (error as? S3Error)?.kind == .tooLarge
            }
            await #expect {
                _ = try await client.upload(bucket: store.bucket, key: key, chunks: Self.stream(Self.pattern(1 << 20)), length: 1 << 20, limit: 1000)
            } throws: { error in
                (error as? S3Error)?.kind == .tooLarge
            }
            let breaking = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                for chunk in Self.pattern(12 << 20) { continuation.yield(chunk) }
                continuation.finish(throwing: Broken())
            }
            await #expect(throws: Broken.self) {
                _ = try await client.upload(bucket: store.bucket, key: key, chunks: breaking)
            }
            #expect(try await client.objectSize(bucket: store.bucket, key: key) == nil)
        }
    }

    @Test("Listings page through thousands of objects")
    func pagination() async throws {
        let store = try TestObjectStore()
        try await store.withClient { client async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<8 {
                    group.addTask {
                        for index in stride(from: batch, to: 1100, by: 8) {
                            try await client.putObject(
                                bucket: store.bucket,
                                key: "\(store.prefix)/many/\(index)",
                                body: ByteBuffer(string: "\(index)")
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let listing = try await client.list(bucket: store.bucket, prefix: "\(store.prefix)/many/")
            #expect(listing.objects.count == 1100)
            #expect(Set(listing.objects.map(\.key)).count == 1100)
            #expect(try await client.deleteAll(bucket: store.bucket, prefix: "\(store.prefix)/") == 1100)
            #expect(try await client.list(bucket: store.bucket, prefix: "\(store.prefix)/").objects.isEmpty)
        }
    }

    @Test("Wrong credentials, a missing bucket and an unreachable store are errors that say what to fix, soon")
    func failures() async throws {
        let store = try TestObjectStore()
        let wrong = S3Client(
            endpoint: store.endpoint,
            credentials: AWSCredentials(accessKeyID: store.credentials.accessKeyID, secretAccessKey: "wrong")
        )
        await #expect {
            try await wrong.checkBucket(store.bucket)
        } throws: { error in
            let error = error as? S3Error
            return error?.kind == .credentialsRefused && error?.message.contains("AWS_SECRET_ACCESS_KEY") == true
        }
        await wrong.shutdown()
        try await store.withClient { client async throws in
            await #expect {
                try await client.checkBucket("no-such-bucket-\(store.prefix.suffix(8))")
            } throws: { error in
                let error = error as? S3Error
                return error?.kind == .noSuchBucket && error?.message.contains("create the bucket") == true
            }
        }
        // A port nobody listens on: refused at once, tried again a few times, then an error.
        let closed = try S3Endpoint(url: URL(string: "http://127.0.0.1:9"))
        let nowhere = S3Client(endpoint: closed, credentials: store.credentials, retries: .init(attempts: 3, baseDelay: .milliseconds(10)))
        let started = ContinuousClock.now
        await #expect {
            _ = try await nowhere.objectSize(bucket: store.bucket, key: "anything")
        } throws: { error in
            let error = error as? S3Error
            return error?.kind == .unreachable && error?.message.contains("tried 3 times") == true && error?.message.contains("127.0.0.1:9") == true
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        await nowhere.shutdown()
    }

    @Test(
        "A presigned URL lets a client without credentials upload one part; the parts join into the object",
        arguments: [TestObjectStore.Kind.seaweedfs, .moto]
    )
    func presignedParts(kind: TestObjectStore.Kind) async throws {
        let store = try TestObjectStore(kind)
        try await store.withClient { client async throws in
            let key = "\(store.prefix)/presigned.bin"
            let upload = try await client.createMultipartUpload(bucket: store.bucket, key: key)
            var parts: [(number: Int, etag: String)] = []
            let bodies = [Data(repeating: 7, count: 5 << 20), Data(repeating: 9, count: 1000)]
            for (index, body) in bodies.enumerated() {
                let url = try client.presignedURL(
                    method: "PUT",
                    bucket: store.bucket,
                    key: key,
                    query: [("partNumber", "\(index + 1)"), ("uploadId", upload)],
                    expires: .seconds(300)
                )
                var request = URLRequest(url: url)
                request.httpMethod = "PUT"
                let (_, response) = try await URLSession.shared.upload(for: request, from: body)
                let http = try #require(response as? HTTPURLResponse)
                #expect(http.statusCode == 200)
                parts.append((index + 1, try #require(http.value(forHTTPHeaderField: "ETag"))))
            }
            try await client.completeMultipartUpload(bucket: store.bucket, key: key, uploadID: upload, parts: parts)
            #expect(try await client.objectSize(bucket: store.bucket, key: key) == Int64(5 << 20 + 1000))
            try await client.deleteObject(bucket: store.bucket, key: key)
        }
    }

    @Test("5xx and throttling are tried again with backoff; a refusal is not")
    func retries() async throws {
        let calls = Mutex(0)
        let router = Router()
        router.put("/bucket/**") { _, context -> Response in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if context.parameters.getCatchAll().joined(separator: "/") == "refused" {
                return Response(
                    status: .forbidden,
                    body: .init(byteBuffer: ByteBuffer(string: "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"))
                )
            }
            if call <= 2 {
                let code = call == 1 ? "SlowDown" : "InternalError"
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "<Error><Code>\(code)</Code></Error>")))
            }
            return Response(status: .ok, headers: [.init("ETag")!: "\"abc\""])
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { server in
            let port = try #require(server.port)
            let client = S3Client(
                endpoint: try S3Endpoint(url: URL(string: "http://127.0.0.1:\(port)")),
                credentials: AWSCredentials(accessKeyID: "key", secretAccessKey: "secret"),
                retries: .init(attempts: 4, baseDelay: .milliseconds(5))
            )
            #expect(try await client.putObject(bucket: "bucket", key: "object", body: ByteBuffer(string: "x")) == "\"abc\"")
            #expect(calls.withLock { $0 } == 3)
            await #expect {
                try await client.putObject(bucket: "bucket", key: "refused", body: ByteBuffer(string: "x"))
            } throws: { error in
                (error as? S3Error)?.kind == .credentialsRefused
            }
            #expect(calls.withLock { $0 } == 4)
            await client.shutdown()
        }
    }

    @Test("Part sizes: 8 MiB, larger when a known size needs more than 10,000 parts")
    func partSizes() {
        #expect(S3Client.partSize(for: nil) == 8 << 20)
        #expect(S3Client.partSize(for: 1 << 30) == 8 << 20)
        #expect(S3Client.partSize(for: 200 << 30) == 21 << 20)
        #expect(Int64(S3Client.partSize(for: 200 << 30)) * 10_000 >= 200 << 30)
    }
}
