import Foundation
import JSON
import Lineage
public import Workflow

extension PythonOperator: TaskOperator {
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
        environment[Lineage.Environment.contextFile] = contextFile.path
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
