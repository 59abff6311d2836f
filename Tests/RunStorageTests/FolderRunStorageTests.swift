import Foundation
import NIOCore
import Testing

@testable import RunStorage

#if canImport(Glibc)
import Glibc
#endif

@Suite("Folder run storage")
struct FolderRunStorageTests {
    let key = TaskDataKey(dagID: "dag", runID: "manual__2026-01-01T00:00:00+00:00", taskID: "task")

    /// A fresh storage folder, removed after `body`.
    func withStorage(_ body: (FolderRunStorage, URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(FolderRunStorage(folder: folder), folder)
    }

    /// Every regular file under `folder`, relative, including temporary ones.
    func files(in folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        var names: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                names.append(String(url.path.dropFirst(folder.path.count + 1)))
            }
        }
        return names.sorted()
    }

    func chunks(_ texts: [String]) -> ByteChunks {
        let remaining = Remaining(texts.map { ByteBuffer(string: $0) })
        return ByteChunks { await remaining.next() }
    }

    func read(_ contents: StoredContents) async throws -> String {
        var text = ""
        for try await chunk in contents.chunks { text += String(buffer: chunk) }
        return text
    }

    @Test("A stored file reads back with its size, listed under its path")
    func roundTrip() async throws {
        try await withStorage { storage, folder in
            let size = try await storage.put(key, path: "samples/train.json", chunks: chunks(["[1,", "2]"]), limit: 100)
            #expect(size == 5)
            let contents = try await storage.get(key, path: "samples/train.json")
            #expect(contents.size == 5)
            #expect(try await read(contents) == "[1,2]")
            #expect(try await storage.list(key) == [StoredFile(path: "samples/train.json", size: 5)])
            // Only the server reads stored data: the folder is 0700, files 0600.
            let mode = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
            #expect(mode == 0o700)
            // The layout: <dag>/<run>/<task>/<path>, ids encoded; nothing left in +tmp.
            #expect(files(in: folder) == ["dag/manual__2026-01-01T00%3A00%3A00%2B00%3A00/task/samples/train.json"])
        }
    }

    @Test("A stream longer than the limit is refused and leaves nothing, not even the file it replaced")
    func limit() async throws {
        try await withStorage { storage, folder in
            _ = try await storage.put(key, path: "a.txt", chunks: chunks(["old"]), limit: 10)
            await #expect(throws: RunStorageError.self) {
                _ = try await storage.put(key, path: "a.txt", chunks: chunks(["12345", "67890", "x"]), limit: 10)
            }
            do {
                _ = try await storage.put(key, path: "b.txt", chunks: chunks(["12345678901"]), limit: 10)
                Issue.record("a stream beyond the limit was stored")
            } catch let error as RunStorageError {
                #expect(error.code == .tooLarge)
            }
            // The refused replacement left the old file whole; the refused new file is not there.
            #expect(try await read(try await storage.get(key, path: "a.txt")) == "old")
            #expect(files(in: folder).count == 1)
            #expect(try await storage.list(key).map(\.path) == ["a.txt"])
        }
    }

    @Test("A stream that fails midway leaves nothing")
    func brokenStream() async throws {
        struct Broken: Error {}
        try await withStorage { storage, folder in
            let sent = Remaining([ByteBuffer(string: "part")])
            let stream = ByteChunks {
                if let chunk = await sent.next() { return chunk }
                throw Broken()
            }
            await #expect(throws: Broken.self) { _ = try await storage.put(key, path: "x.bin", chunks: stream, limit: 100) }
            #expect(files(in: folder).isEmpty)
        }
    }

    @Test(
        "Paths that could leave the folder are refused",
        arguments: [
            "../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/.", "", "a\u{0}b", "a\nb", "a\\b", "dir/", String(repeating: "a", count: 256),
        ]
    )
    func escapes(path: String) async throws {
        try await withStorage { storage, folder in
            do {
                _ = try await storage.put(key, path: path, chunks: chunks(["x"]), limit: 10)
                Issue.record("'\(path)' was stored")
            } catch let error as RunStorageError {
                #expect(error.code == .invalidPath)
            }
            await #expect(throws: RunStorageError.self) { _ = try await storage.get(key, path: path) }
            #expect(files(in: folder).isEmpty)
        }
    }

    @Test("Ids are encoded into single folder names, so none can climb out", arguments: ["..", ".", "a/../../b", "/abs", "+tmp", "%2E%2E"])
    func hostileIDs(id: String) async throws {
        try await withStorage { storage, folder in
            for key in [
                TaskDataKey(dagID: id, runID: "r", taskID: "t"), TaskDataKey(dagID: "d", runID: id, taskID: "t"),
                TaskDataKey(dagID: "d", runID: "r", taskID: id),
            ] {
                _ = try await storage.put(key, path: "f", chunks: chunks(["x"]), limit: 10)
                #expect(try await read(try await storage.get(key, path: "f")) == "x")
            }
            let names = files(in: folder)
            #expect(names.count == 3)
            for name in names {
                let parts = name.split(separator: "/")
                #expect(parts.count == 4, "\(name)")
                #expect(!parts.contains("..") && !parts.contains(".") && !parts[0].hasPrefix("+"), "\(name)")
            }
            do {
                _ = try FolderRunStorage.encode("")
                Issue.record("an empty id was encoded")
            } catch let error as RunStorageError {
                #expect(error.code == .invalidPath)
            }
        }
    }

    @Test("A missing file is notFound; a symbolic link is refused, not followed")
    func missingAndLinks() async throws {
        try await withStorage { storage, folder in
            do {
                _ = try await storage.get(key, path: "nothing")
                Issue.record("a missing file was read")
            } catch let error as RunStorageError {
                #expect(error.code == .notFound)
            }
            let link = FileManager.default.temporaryDirectory.appendingPathComponent("link-\(UUID().uuidString)")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/hostname")
            defer { try? FileManager.default.removeItem(at: link) }
            await #expect(throws: RunStorageError.self) { _ = try await storage.put(key, path: "f", from: link, limit: 1 << 20) }
            #expect(files(in: folder).isEmpty)
        }
    }

    @Test("50 MB streams in and out in 64 KiB chunks without growing memory by the file's size")
    func largeFile() async throws {
        try await withStorage { storage, folder in
            let chunkSize = 64 * 1024
            let count = 50 * 1024 * 1024 / chunkSize
            let produced = Counter()
            let pattern = ByteBuffer(bytes: (0..<chunkSize).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let stream = ByteChunks {
                guard await produced.increment() <= count else { return nil }
                return pattern
            }
            let before = residentBytes()
            let size = try await storage.put(key, path: "big.bin", chunks: stream, limit: 2 << 30)
            #expect(size == Int64(count * chunkSize))
            let contents = try await storage.get(key, path: "big.bin")
            #expect(contents.size == size)
            var read: Int64 = 0
            var largest = 0
            var intact = true
            for try await chunk in contents.chunks {
                read += Int64(chunk.readableBytes)
                largest = max(largest, chunk.readableBytes)
                if chunk.readableBytes == chunkSize, chunk != pattern { intact = false }
            }
            let after = residentBytes()
            #expect(read == size)
            #expect(largest <= chunkSize)
            #expect(intact)
            // Other tests run at once, so only a gross excess (the whole file held) is a failure.
            if let before, let after { #expect(after - before < 40 * 1024 * 1024, "resident memory grew by \(after - before) bytes") }
            // Stored from a file too, and deleted with its run.
            let local = folder.appendingPathComponent("+tmp/copy-source")
            _ = try await copyBig(into: local, storage: storage)
            #expect(try await storage.put(key, path: "copy.bin", from: local, limit: 2 << 30) == size)
            await #expect(throws: RunStorageError.self) { _ = try await storage.put(key, path: "small.bin", from: local, limit: 1000) }
            try await storage.deleteRun(dagID: key.dagID, runID: key.runID)
            #expect(try await storage.list(key).isEmpty)
        }
    }

    /// Copies the stored big.bin to `url` (a local file), chunk by chunk.
    func copyBig(into url: URL, storage: FolderRunStorage) async throws -> Int64 {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var total: Int64 = 0
        for try await chunk in try await storage.get(key, path: "big.bin").chunks {
            try handle.write(contentsOf: chunk.withUnsafeReadableBytes { Data($0) })
            total += Int64(chunk.readableBytes)
        }
        return total
    }

    @Test("Deleting a task's data or a run's removes only that")
    func deleting() async throws {
        try await withStorage { storage, _ in
            let other = TaskDataKey(dagID: key.dagID, runID: key.runID, taskID: "other")
            let otherRun = TaskDataKey(dagID: key.dagID, runID: "run2", taskID: "task")
            for key in [key, other, otherRun] { _ = try await storage.put(key, path: "d/f", chunks: chunks(["x"]), limit: 10) }
            try await storage.delete(key)
            #expect(try await storage.list(key).isEmpty)
            #expect(try await storage.list(other).count == 1)
            try await storage.deleteRun(dagID: key.dagID, runID: key.runID)
            #expect(try await storage.list(other).isEmpty)
            #expect(try await storage.list(otherRun).count == 1)
            try await storage.deleteRun(dagID: "nothing", runID: "here")
        }
    }

    /// The resident set size of this process, from /proc (Linux), or `nil`.
    func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Buffers handed out one at a time.
actor Remaining {
    var buffers: [ByteBuffer]
    init(_ buffers: [ByteBuffer]) { self.buffers = buffers }
    func next() -> ByteBuffer? { buffers.isEmpty ? nil : buffers.removeFirst() }
}

actor Counter {
    var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}
