public import Foundation

/// The example DAGs `flowline up` and `flowline server` put in the DAGs folder (unless
/// `--no-examples`). A file already there is left alone, so edits survive restarts.
public enum ExampleDAGs {
    /// Copies the example DAG files missing from `folder`, with `${NAME}` in them replaced by
    /// `substitutions[NAME]` (the model repository's path and head commit).
    public static func install(into folder: URL, substitutions: [String: String]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in try files() {
            let url = folder.appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: url.path) else { continue }
            var text = text
            for (key, value) in substitutions { text = text.replacingOccurrences(of: "${\(key)}", with: value) }
            try Data(text.utf8).write(to: url, options: .atomic)
        }
    }

    /// File name → contents, as shipped.
    public static func files() throws -> [(name: String, text: String)] {
        let folder = try ExampleProjects.folder().appendingPathComponent("dags", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
            (name, try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
        }
    }
}
