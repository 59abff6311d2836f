import Testing

@testable import RunStorage

@Suite("Stored paths")
struct StoredPathTests {
    @Test("Relative paths of plain names are fine", arguments: ["a", "samples/train.json", "a b/ü.txt", ".hidden/x", "x..y"])
    func fine(path: String) {
        #expect(StoredPath.problem(path) == nil)
    }

    @Test("A folder ends with '/' where folders are allowed")
    func folders() {
        #expect(StoredPath.problem("model/", allowFolder: true) == nil)
        #expect(StoredPath.problem("model/") != nil)
        #expect(StoredPath.file("model/a/b.json", isIn: "model/"))
        #expect(!StoredPath.file("modelx/a", isIn: "model/"))
        #expect(StoredPath.file("a.json", isIn: "a.json"))
    }

    @Test(
        "What could leave the workspace or confuse a file system is refused",
        arguments: [
            ("", "empty"), ("/etc/passwd", "absolute"), ("../x", "'..'"), ("a/./b", "'.'"), ("a//b", "empty part"),
            ("a\u{0}", "control character U+0"), ("a\u{1B}[31m", "control character U+1B"), ("a\\b", "'\\'"),
            (String(repeating: "a/", count: 600) + "a", "longer than 1024"), (String(repeating: "x", count: 256), "longer than 255"),
        ]
    )
    func refused(path: String, says: String) {
        let problem = StoredPath.problem(path, allowFolder: true)
        #expect(problem?.contains(says) == true, "\(problem ?? "nil")")
    }
}
