import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CoreFoundation)
// Swift 6.3 finds `stat` there (MemberImportVisibility).
import CoreFoundation
#endif
import Testing
import TestSupport
@testable import Orchestrator

@Suite("Handing files to the task user")
struct TaskUserTests {
    static func owner(_ path: String) -> UInt32 {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_uid : UInt32.max
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
            try FileManager.default.createSymbolicLink(at: checkout.appendingPathComponent("deep/root"), withDestinationURL: URL(fileURLWithPath: "/"))
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
