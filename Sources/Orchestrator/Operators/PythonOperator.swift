import Foundation
public import JSON

/// `operator: python` — runs `script` (a file relative to the DAGs folder) or inline `code` with
/// the configured interpreter (`--python`, or `python` in the task). The task context arrives as
/// JSON on standard input and in the file named by `FLOWLINE_CONTEXT_FILE`; the last line printed,
/// when it is JSON, is the task's XCom.
public struct PythonOperator: TaskOperator {
    public static let name = "python"
    public static let settings: Set<String> = ["script", "code", "args", "python"]
    public static let requiredSettings: Set<String> = []
    /// The code, the script and the interpreter come from the DAG file or a Variable; values of the
    /// run reach the code as its context (standard input), `args` or `env`.
    public static let templateEmbeddings: [String: TemplateEmbedding] = ["code": .trusted, "script": .trusted, "python": .trusted]

    public static func validate(_ settings: [String: JSONValue]) -> String? {
        switch (settings["script"], settings["code"]) {
        case (nil, nil): return "a python task needs 'script' (a file) or 'code'"
        case (.some, .some): return "give 'script' or 'code', not both"
        default: break
        }
        if let args = settings["args"], case .array = args {} else if settings["args"] != nil { return "args must be a list" }
        return nil
    }

    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        let json = Data(context.templateContext.jsonText.utf8)
        let contextFile = try context.files.write(json, to: ".flowline/context-\(context.taskID)-\(context.tryNumber).json")
        // Standard input is opened before the process becomes the task user: from the server's
        // own copy, which no task can swap for a link.
        let input = try context.files.stagingURL()
        try json.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        var arguments: [String]
        if let script = context.string("script") {
            let path = script.hasPrefix("/") ? script : context.dagsFolder.appendingPathComponent(script).path
            guard FileManager.default.fileExists(atPath: path) else { throw TaskFailure("the script \(path) does not exist") }
            arguments = [path]
        } else {
            arguments = ["-c", context.string("code") ?? ""]
        }
        if case .array(let extra)? = context.settings["args"] {
            arguments += extra.map { if case .string(let text) = $0 { text } else { $0.jsonText } }
        }
        var environment = ProcessTask.environment(context)
        environment["FLOWLINE_CONTEXT_FILE"] = contextFile.path
        environment["PYTHONUNBUFFERED"] = "1"
        let process = ChildProcess(
            executable: context.string("python") ?? context.python,
            arguments: arguments,
            environment: environment,
            workingDirectory: context.workspace,
            standardInput: input,
            user: context.taskUser
        )
        let (outcome, lastLine) = try await ProcessTask.run(process, context: context, skipCode: nil)
        guard case .success = outcome, let lastLine, let value = try? JSONParser.parse(Array(lastLine.utf8)) else { return outcome }
        return .success(xcom: value)
    }
}
