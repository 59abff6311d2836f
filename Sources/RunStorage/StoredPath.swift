/// The one rule of the paths of task data: what a DAG file may declare as a task's outputs and
/// inputs, what a workload may carry, and what a ``RunStorage`` accepts.
///
/// A path is relative to the task's workspace, written with `/`, of at most
/// ``maximumLength`` bytes; each of its parts is a name of at most ``maximumPartLength`` bytes,
/// never empty, `.` or `..`, without control characters (NUL included) or `\`. A declared
/// output or input may end with `/`: a folder, whose files are stored one by one.
public enum StoredPath {
    /// The longest path, in UTF-8 bytes.
    public static let maximumLength = 1024
    /// The longest part of a path, in UTF-8 bytes (a file name on most file systems).
    public static let maximumPartLength = 255

    /// What is wrong with `path` as a file's path (or a folder's, ending with `/`, when
    /// `allowFolder`), or `nil` when it is fine.
    public static func problem(_ path: String, allowFolder: Bool = false) -> String? {
        guard !path.isEmpty else { return "a path cannot be empty" }
        guard path.utf8.count <= maximumLength else { return "'\(path.prefix(80))…' is longer than \(maximumLength) bytes" }
        guard !path.hasPrefix("/") else { return "'\(path)' is an absolute path; give a path relative to the workspace" }
        if let scalar = path.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            return "'\(printable(path))' holds the control character U+\(String(scalar.value, radix: 16, uppercase: true)); paths are plain names"
        }
        guard !path.contains("\\") else { return "'\(path)' holds '\\'; separate folders with '/'" }
        var body = Substring(path)
        if body.hasSuffix("/") {
            guard allowFolder else { return "'\(path)' ends with '/'; name a file" }
            body = body.dropLast()
        }
        for part in body.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { return "'\(path)' has an empty part ('//'); write each folder once" }
            if part == "." || part == ".." { return "'\(path)' has a '\(part)' part; paths stay inside the workspace, without '.' or '..'" }
            if part.utf8.count > maximumPartLength { return "'\(path)' has a part longer than \(maximumPartLength) bytes" }
        }
        return nil
    }

    /// Whether `path` names a folder (ends with `/`).
    public static func isFolder(_ path: String) -> Bool { path.hasSuffix("/") }

    /// Whether the file `file` is `declared` itself, or inside it when `declared` is a folder.
    public static func file(_ file: String, isIn declared: String) -> Bool {
        isFolder(declared) ? file.hasPrefix(declared) : file == declared
    }

    /// `text` with control characters shown as `\u{…}`, for messages.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
