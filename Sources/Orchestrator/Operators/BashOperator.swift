import Foundation
public import JSON

/// `operator: bash` — runs `command` with `bash -c` in the run's workspace. Exit 0 is success, 99
/// is skipped, anything else fails. The last line printed is pushed as XCom (as JSON when it is
/// JSON, else as text) unless `xcom: none`.
public struct BashOperator: TaskOperator {
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
    static func shellProblem(_ shell: String) -> String? {
        guard !ShellQuote.posixShells.contains(String(shell.split(separator: "/").last ?? "")) else { return nil }
        return "shell must be a POSIX shell (\(ShellQuote.posixShells.sorted().joined(separator: ", ")), or a path to one): values are quoted by its rules"
    }

    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        guard let command = context.string("command") else { throw TaskFailure("command must be text") }
        if let shell = context.string("shell"), let problem = shellProblem(shell) { throw TaskFailure(problem) }
        let process = ChildProcess(
            executable: context.string("shell") ?? "bash",
            arguments: ["-c", command],
            environment: ProcessTask.environment(context),
            workingDirectory: context.workspace,
            user: context.taskUser
        )
        let (outcome, lastLine) = try await ProcessTask.run(process, context: context, skipCode: 99)
        guard case .success = outcome, context.string("xcom") != "none", let lastLine else { return outcome }
        return .success(xcom: XComValue.fromOutput(lastLine))
    }
}

/// Turning a task's printed output into an XCom value.
enum XComValue {
    /// JSON when the line is JSON, else the line as a string.
    static func fromOutput(_ line: String) -> JSONValue {
        (try? JSONParser.parse(Array(line.utf8))) ?? .string(line)
    }
}
