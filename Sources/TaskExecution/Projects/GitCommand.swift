import Foundation
import Synchronization

/// Runs `git` without prompts (a repository that wants credentials fails instead of waiting) and
/// collects its output. Git gets the tasks' allow-list of the server's environment plus its own
/// `GIT_*` and `SSH_*` settings, never the server's secrets: a task running meanwhile as the same
/// user could read a git process's environment.
struct GitCommand {
    var arguments: [String]
    var directory: URL

    /// What git printed and how it ended.
    struct Result {
        var status: ChildProcess.Termination
        var output: [String]
        var succeeded: Bool { status == .exited(0) }
        /// The last line git wrote, which says what went wrong when it failed.
        var lastLine: String { output.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "git \(status)" }
    }

    init(_ arguments: [String], in directory: URL) {
        self.arguments = arguments
        self.directory = directory
    }

    func run() async throws -> Result {
        let server = ProcessInfo.processInfo.environment
        var environment = TaskEnvironment().base(from: server)
            .merging(server.filter { $0.key.hasPrefix("GIT_") || $0.key.hasPrefix("SSH_") }) { $1 }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = "/bin/false"
        environment["LC_ALL"] = "C"
        // Only the transports a model repository needs: never `ext::` (runs a command) or others.
        environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh"
        if environment["GIT_SSH_COMMAND"] == nil { environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes" }
        let process = ChildProcess(executable: "git", arguments: arguments, environment: environment, workingDirectory: directory)
        let lines = OutputLines()
        let status = try await process.run { line in lines.append(line.text) }
        return Result(status: status, output: lines.all)
    }

    /// Runs and returns stdout's text; throws `failure(lastLine)` when git fails.
    func output(orFail failure: (String) -> TaskFailure) async throws -> String {
        let result = try await run()
        guard result.succeeded else { throw failure(result.lastLine) }
        return result.output.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Output lines gathered from the output thread.
final class OutputLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
