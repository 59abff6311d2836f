import Foundation
import JSON
public import Workflow

extension BashOperator: TaskOperator {
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
