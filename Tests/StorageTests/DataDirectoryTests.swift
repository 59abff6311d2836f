import Foundation
import Storage
import Testing

@Suite("Data directory")
struct DataDirectoryTests {
    static func temporaryBase() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flowline-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("Relative paths resolve against the base; ~ expands")
    func paths() {
        let base = URL(fileURLWithPath: "/srv/work", isDirectory: true)
        #expect(DataDirectory(path: "./flowline-data", relativeTo: base).path == "/srv/work/flowline-data")
        #expect(DataDirectory(path: "../x", relativeTo: base).path == "/srv/x")
        #expect(DataDirectory(path: "/abs/dir", relativeTo: base).path == "/abs/dir")
        #expect(!DataDirectory(path: "~/d", relativeTo: base).path.contains("~"))
    }

    @Test("prepare creates the directory, its marker and subdirectories")
    func prepare() throws {
        let base = try Self.temporaryBase()
        defer { try? FileManager.default.removeItem(at: base) }
        let directory = DataDirectory(path: "data/nested", relativeTo: base)
        #expect(!directory.exists)
        let logs = try directory.prepare("logs")
        #expect(directory.exists && directory.isMarked)
        #expect(FileManager.default.fileExists(atPath: logs.path))
        try directory.prepare()
    }

    @Test("prepare refuses a path that is a file")
    func prepareFile() throws {
        let base = try Self.temporaryBase()
        defer { try? FileManager.default.removeItem(at: base) }
        let file = base.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        #expect(throws: DataDirectoryError.self) { try DataDirectory(path: file.path).prepare() }
    }

    @Test("Only one holder of the lock at a time; released when dropped")
    func lock() throws {
        let base = try Self.temporaryBase()
        defer { try? FileManager.default.removeItem(at: base) }
        let directory = DataDirectory(path: base.path)
        try directory.prepare()
        var held: DataDirectoryLock? = try directory.lock()
        #expect(held != nil)
        #expect(throws: DataDirectoryError.self) { _ = try directory.lock() }
        held = nil
        _ = try directory.lock()
    }

    @Test("reset deletes a Flowline directory, refuses a foreign or locked one")
    func reset() throws {
        let base = try Self.temporaryBase()
        defer { try? FileManager.default.removeItem(at: base) }

        let foreign = DataDirectory(path: base.appendingPathComponent("foreign").path)
        try FileManager.default.createDirectory(at: foreign.url, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: foreign.url.appendingPathComponent("thesis.txt"))
        #expect(throws: DataDirectoryError.self) { try foreign.reset() }
        #expect(FileManager.default.fileExists(atPath: foreign.url.appendingPathComponent("thesis.txt").path))

        let ours = DataDirectory(path: base.appendingPathComponent("ours").path)
        try ours.prepare("artifacts")
        let held = try ours.lock()
        #expect(throws: DataDirectoryError.self) { try ours.reset() }
        #expect(ours.exists)
        withExtendedLifetime(held) {}
    }

    @Test("reset of a free Flowline directory deletes everything; of a missing one does nothing")
    func resetDeletes() throws {
        let base = try Self.temporaryBase()
        defer { try? FileManager.default.removeItem(at: base) }
        let directory = DataDirectory(path: base.appendingPathComponent("d").path)
        try directory.prepare("artifacts")
        try Data("m".utf8).write(to: directory.url.appendingPathComponent("artifacts/model.bin"))
        #expect(try directory.contents().contains("artifacts"))
        #expect(try directory.reset())
        #expect(!directory.exists)
        #expect(try directory.reset() == false)
    }
}
