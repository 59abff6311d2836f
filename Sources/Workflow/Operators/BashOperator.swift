import Foundation
public import JSON

/// `operator: bash` — runs `command` with `bash -c` in the run's workspace. Exit 0 is success, 99
/// is skipped, anything else fails. The last line printed is pushed as XCom (as JSON when it is
/// JSON, else as text) unless `xcom: none`.
public struct BashOperator: OperatorDefinition {
    public static let name = "bash"
    public static let settings: Set<String> = ["command", "xcom", "shell"]
    public static let requiredSettings: Set<String> = ["command"]
    public static let templateEmbeddings: [String: TemplateEmbedding] = ["command": .shell, "shell": .trusted]
    public static func validate(_ settings: [String: JSONValue]) -> String? {
        if let xcom = settings["xcom"], xcom != .string("none"), xcom != .string("last_line") {
            return "xcom must be 'last_line' (the default) or 'none'"
        }
        guard case .string? = settings["command"] else { return "command must be text" }
        if let shell = settings["shell"] {
            guard case .string(let path) = shell else { return "shell must be text" }
            if !path.contains("{{"), let problem = shellProblem(path) { return problem }
        }
        return nil
    }

    /// Why `shell` cannot run a command whose values were quoted for a POSIX shell, if it cannot.
    package static func shellProblem(_ shell: String) -> String? {
        guard !ShellQuote.posixShells.contains(String(shell.split(separator: "/").last ?? "")) else { return nil }
        return
            "shell must be a POSIX shell (\(ShellQuote.posixShells.sorted().joined(separator: ", ")), or a path to one): values are quoted by its rules"
    }
}
