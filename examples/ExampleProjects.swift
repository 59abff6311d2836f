import Foundation

/// The examples `flowline up` installs: the DAGs in `dags/` and the model repository built from
/// `line-model/`. Their files ship as the `flowline_ExampleProjects.resources` folder next to the
/// binary.
public enum ExampleProjects {
    /// The examples' folder: next to the binary, else in the source tree it was built from.
    static func folder() throws -> URL {
        var candidates: [URL] = []
        if let binary = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            candidates.append(binary.appendingPathComponent("flowline_ExampleProjects.resources", isDirectory: true))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("flowline_ExampleProjects.resources", isDirectory: true))
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("dags").path) {
            return candidate
        }
        throw ExampleError(
            "the example files are missing: keep the folder flowline_ExampleProjects.resources next to the flowline binary (or start with --no-examples)"
        )
    }
}

/// The examples could not be installed.
public struct ExampleError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
