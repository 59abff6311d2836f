import Foundation
public import JSON

/// `operator: python` — runs `script` (a file relative to the DAGs folder) or inline `code` with
/// the configured interpreter (`--python`, or `python` in the task). The task context arrives as
/// JSON on standard input and in the file named by `FLOWLINE_CONTEXT_FILE`; the last line printed,
/// when it is JSON, is the task's XCom.
public struct PythonOperator: OperatorDefinition {
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
}
