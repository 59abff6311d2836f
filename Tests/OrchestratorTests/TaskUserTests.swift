import Foundation
import TestSupport
import Testing

@testable import TaskExecution

@Suite("Handing files to the task user")
struct TaskUserTests {
    /// The owner of `path` itself (a link's own, not its target's).
    static func owner(_ path: String) -> UInt32 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.ownerAccountID] as? NSNumber)?.uint32Value ?? UInt32.max
    }

    @Test("Everything below is given to the user; symbolic links are given themselves, never followed")
    func handOverDoesNotFollowLinks() async throws {
        guard getuid() == 0 else {
            Issue.record("changing owners needs root; run the tests as root (CI does)")
            return
        }
        try await withTemporaryDirectory { directory in
            let outside = directory.url.appendingPathComponent("outside")
            let checkout = directory.url.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: checkout.appendingPathComponent("deep/er"), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: outside.appendingPathComponent("secret"))
            try Data("y".utf8).write(to: checkout.appendingPathComponent("deep/er/file"))
            try FileManager.default.createSymbolicLink(at: checkout.appendingPathComponent("link"), withDestinationURL: outside)
            try FileManager.default.createSymbolicLink(
                at: checkout.appendingPathComponent("deep/root"),
                withDestinationURL: URL(fileURLWithPath: "/")
            )
            let user = TaskUser(name: "nobody", uid: 65534, gid: 65534, groups: [65534], home: "/nonexistent", launcher: "/bin/false")
            try user.handOver(checkout)
            for path in ["", "/deep", "/deep/er", "/deep/er/file", "/link", "/deep/root"] {
                #expect(Self.owner(checkout.path + path) == 65534, "src\(path)")
            }
            #expect(Self.owner(outside.path) == 0 && Self.owner(outside.appendingPathComponent("secret").path) == 0)
            #expect(Self.owner("/etc") == 0)
            // A link handed over by itself stays a link and leaves its target alone.
            try user.handOver(checkout.appendingPathComponent("link"))
            #expect(Self.owner(outside.path) == 0)
        }
    }
}

/// What the server puts into a workspace that a task user owns and may have filled with links.
@Suite("Files the server puts into a workspace")
struct WorkspaceFilesTests {
    /// A workspace with a folder `outside` beside it that holds `secret`, and the files helper.
    static func withWorkspace(user: TaskUser? = nil, _ body: (WorkspaceFiles, URL) throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let outside = try directory.folder("outside", files: ["secret": "keep"])
            let workspace = try directory.folder("workspaces/dag/run")
            try body(WorkspaceFiles(workspace: workspace, staging: directory.url.appendingPathComponent("workspaces/+staging"), user: user), outside)
            #expect(try String(contentsOf: outside.appendingPathComponent("secret"), encoding: .utf8) == "keep")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["secret"])
        }
    }

    @Test("A link planted as a folder on the way is refused, never followed")
    func linkedFolder() async throws {
        try await Self.withWorkspace { files, outside in
            try FileManager.default.createSymbolicLink(at: files.workspace.appendingPathComponent("out"), withDestinationURL: outside)
            #expect(throws: TaskFailure.self) { try files.write(Data("x".utf8), to: "out/secret") }
            #expect(throws: TaskFailure.self) { try files.write(Data("x".utf8), to: "out/new") }
        }
    }

    @Test("A link planted where the file goes is replaced, its target untouched")
    func linkedFile() async throws {
        try await Self.withWorkspace { files, outside in
            try FileManager.default.createSymbolicLink(
                at: files.workspace.appendingPathComponent("x.json"),
                withDestinationURL: outside.appendingPathComponent("secret")
            )
            let written = try files.write(Data("new".utf8), to: "./x.json")
            #expect(written.lastPathComponent == "x.json")
            #expect(try String(contentsOf: written, encoding: .utf8) == "new")
        }
    }

    @Test("A folder replaced is removed without following the links in it; missing folders are made")
    func replacedFolder() async throws {
        try await Self.withWorkspace { files, outside in
            let old = files.workspace.appendingPathComponent("src/task")
            try FileManager.default.createDirectory(at: old.appendingPathComponent("deep"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: old.appendingPathComponent("deep/escape"), withDestinationURL: outside)
            try FileManager.default.createSymbolicLink(
                at: old.appendingPathComponent("file"),
                withDestinationURL: outside.appendingPathComponent("secret")
            )
            let staged = try files.stagingURL()
            try FileManager.default.createDirectory(at: staged.appendingPathComponent("a/b"), withIntermediateDirectories: true)
            try Data("code".utf8).write(to: staged.appendingPathComponent("a/b/main.py"))
            let placed = try files.place(staged, at: "src/task")
            #expect(try String(contentsOf: placed.appendingPathComponent("a/b/main.py"), encoding: .utf8) == "code")
            #expect(try FileManager.default.contentsOfDirectory(atPath: placed.path) == ["a"])
            #expect(!FileManager.default.fileExists(atPath: staged.path))
            #expect(throws: TaskFailure.self) { try files.write(Data(), to: "../escape") }
        }
    }

    @Test("With a task user, what is placed and the folders made for it are the user's; nothing else is given away")
    func givenToTheUser() async throws {
        guard getuid() == 0 else {
            Issue.record("changing owners needs root; run the tests as root (CI does)")
            return
        }
        let nobody = TaskUser(name: "nobody", uid: 65534, gid: 65534, groups: [65534], home: "/nonexistent", launcher: "/bin/false")
        try await Self.withWorkspace(user: nobody) { files, _ in
            try Data("root's".utf8).write(to: files.workspace.appendingPathComponent("other.txt"))
            let written = try files.write(Data("{}".utf8), to: ".flowline/context.json")
            #expect(TaskUserTests.owner(written.path) == 65534)
            #expect(TaskUserTests.owner(written.deletingLastPathComponent().path) == 65534)
            #expect(TaskUserTests.owner(files.workspace.appendingPathComponent("other.txt").path) == 0)
            #expect(TaskUserTests.owner(files.staging.path) == 0)
        }
    }
}
