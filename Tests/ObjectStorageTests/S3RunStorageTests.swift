import Foundation
import NIOCore
import RunStorage
import TestSupport
import Testing

@testable import ObjectStorage

/// Run storage in a bucket (SeaweedFS, started by scripts/test.sh): what ``FolderRunStorage``
/// promises, as objects.
@Suite("S3 run storage")
struct S3RunStorageTests {
    func withStorage(_ body: (S3RunStorage, TestObjectStore, S3Client) async throws -> Void) async throws {
        let store = try TestObjectStore()
        try await store.withClient { client async throws in
            let storage = S3RunStorage(client: client, location: try S3Location(store.location))
            try await body(storage, store, client)
            try await client.deleteAll(bucket: store.bucket, prefix: store.prefix + "/")
        }
    }

    static func chunks(_ texts: [String]) -> ByteChunks {
        let queue = ChunkQueue(texts.map { ByteBuffer(string: $0) })
        return ByteChunks { await queue.next() }
    }

    static func read(_ contents: StoredContents) async throws -> String {
        var text = ""
        for try await chunk in contents.chunks { text += String(buffer: chunk) }
        return text
    }

    @Test("Files round-trip by task and path, listed with their sizes, under encoded ids")
    func roundTrip() async throws {
        try await withStorage { storage, store, client async throws in
            let key = TaskDataKey(dagID: "dag.one", runID: "manual__2026-12-01T00:00:00+00:00", taskID: "train")
            #expect(try await storage.put(key, path: "out/model.json", chunks: Self.chunks(["{\"a\":", "1}"]), limit: 100) == 7)
            #expect(try await storage.put(key, path: "b.txt", chunks: Self.chunks(["b"]), limit: 100) == 1)
            let contents = try await storage.get(key, path: "out/model.json")
            #expect(contents.size == 7)
            #expect(try await Self.read(contents) == "{\"a\":1}")
            #expect(try await storage.list(key) == [StoredFile(path: "b.txt", size: 1), StoredFile(path: "out/model.json", size: 7)])
            let keys = try await client.list(bucket: store.bucket, prefix: store.prefix + "/").objects.map(\.key)
            #expect(keys.contains("\(store.prefix)/dag%2Eone/manual__2026-12-01T00%3A00%3A00%2B00%3A00/train/b.txt"))

            let other = TaskDataKey(dagID: "dag.one", runID: "other", taskID: "train")
            _ = try await storage.put(other, path: "c", chunks: Self.chunks(["c"]), limit: 10)
            try await storage.delete(key)
            #expect(try await storage.list(key).isEmpty)
            #expect(try await storage.list(other).count == 1)
            try await storage.deleteRun(dagID: "dag.one", runID: "other")
            #expect(try await storage.list(other).isEmpty)
        }
    }

    @Test("Too large, missing, or a path that climbs: refused with the run storage's errors, nothing stored")
    func refusals() async throws {
        try await withStorage { storage, _, _ async throws in
            let key = TaskDataKey(dagID: "d", runID: "r", taskID: "t")
            await #expect {
                _ = try await storage.put(key, path: "big", chunks: Self.chunks(["12345", "6789"]), limit: 8)
            } throws: { error in
                (error as? RunStorageError)?.code == .tooLarge
            }
            #expect(try await storage.list(key).isEmpty)
            await #expect {
                _ = try await storage.get(key, path: "big")
            } throws: { error in
                (error as? RunStorageError)?.code == .notFound
            }
            for path in ["../x", "/etc/passwd", "a/../../b", ""] {
                await #expect {
                    _ = try await storage.put(key, path: path, chunks: Self.chunks(["x"]), limit: 10)
                } throws: { error in
                    (error as? RunStorageError)?.code == .invalidPath
                }
            }
        }
    }

    @Test("A local file is uploaded with its size; a link is refused")
    func fromFile() async throws {
        try await withStorage { storage, _, _ async throws in
            let directory = try TemporaryDirectory("s3-run-storage")
            defer { directory.remove() }
            let file = directory.url.appendingPathComponent("data.bin")
            try Data(repeating: 42, count: 9 << 20).write(to: file)
            let key = TaskDataKey(dagID: "d", runID: "r", taskID: "t")
            #expect(try await storage.put(key, path: "data.bin", from: file, limit: 10 << 20) == 9 << 20)
            #expect(try await storage.get(key, path: "data.bin").size == 9 << 20)
            let link = directory.url.appendingPathComponent("link")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
            await #expect {
                _ = try await storage.put(key, path: "link", from: link, limit: 10 << 20)
            } throws: { error in
                (error as? RunStorageError)?.code == .invalidPath
            }
        }
    }

    @Test("An ended try's log is archived and restored whole; an unknown one is not there")
    func logs() async throws {
        try await withStorage { storage, store, client async throws in
            let directory = try TemporaryDirectory("s3-logs")
            defer { directory.remove() }
            let file = directory.url.appendingPathComponent("attempt=1.log")
            try "line one\nline two\n".write(to: file, atomically: true, encoding: .utf8)
            try await storage.archive(file, as: "dag_id=d/run_id=r/task_id=t/attempt=1.log")
            #expect(try await client.objectSize(bucket: store.bucket, key: "\(store.prefix)/+logs/dag_id=d/run_id=r/task_id=t/attempt=1.log") == 18)
            let copy = directory.url.appendingPathComponent("cache/copy.log")
            #expect(try await storage.restore("dag_id=d/run_id=r/task_id=t/attempt=1.log", to: copy))
            #expect(try String(contentsOf: copy, encoding: .utf8) == "line one\nline two\n")
            #expect(try await storage.restore("dag_id=d/run_id=r/task_id=t/attempt=2.log", to: copy) == false)
        }
    }
}

/// Chunks handed out one at a time.
actor ChunkQueue {
    private var buffers: [ByteBuffer]

    init(_ buffers: [ByteBuffer]) {
        self.buffers = buffers
    }

    func next() -> ByteBuffer? { buffers.isEmpty ? nil : buffers.removeFirst() }
}
