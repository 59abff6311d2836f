import Foundation
import Synchronization
import Workflow

/// Runs a task's child process and turns its end into a ``TaskOutcome``: shared by the operators
/// that run programs (bash, python).
enum ProcessTask {
    /// Runs `process`, logging its output; the last stdout line is the XCom candidate.
    /// - Parameter skipCode: an exit code that means "skipped" (bash: 99).
    static func run(_ process: ChildProcess, context: TaskRunContext, skipCode: Int32?) async throws -> (outcome: TaskOutcome, lastLine: String?) {
        let lastLine = LastLine()
        let lastError = LastLine()
        let log = context.log
        log.write("Running: \(([process.executable] + process.arguments).joined(separator: " "))")
        let termination = try await process.run(onStart: context.processStarted) { line in
            log.write(line.text, level: line.isStdout ? .info : .warning, source: line.isStdout ? "stdout" : "stderr")
            (line.isStdout ? lastLine : lastError).add(line.text, continues: line.continues)
        }
        try Task.checkCancellation()
        switch termination {
        case .exited(0):
            return (.success(xcom: nil), lastLine.value)
        case .exited(let code) where code == skipCode:
            return (.skipped("the command exited with \(code): skipped"), nil)
        case .exited(let code):
            let detail = lastError.value.map { ": \($0.trimmingCharacters(in: .whitespaces).prefix(300))" } ?? ""
            throw TaskFailure("the command exited with code \(code)\(detail)")
        case .signalled(let signal):
            throw TaskFailure("the command was killed by signal \(signal)")
        }
    }

    /// The environment of a task's process: the try's (``TaskEnvironment``'s allow-list of the
    /// server's, then the task's `env` and `FLOWLINE_*`); `PATH` starts with the folders of this
    /// `flowline` binary and of the configured python, so that commands can call `flowline …` and
    /// `python …`.
    static func environment(_ context: TaskRunContext) -> [String: String] {
        var environment = context.environment
        var folders: [String] = []
        if let binary = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path { folders.append(binary) }
        if context.python.contains("/") { folders.append(URL(fileURLWithPath: context.python).deletingLastPathComponent().path) }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment["PATH"] = (folders + [path]).joined(separator: ":")
        return environment
    }
}

/// The last non-empty line of a process's output, put together again from the pieces a long
/// line is logged in, and kept up to one byte past the largest XCom (so that an oversized one is
/// still refused with its size), whatever the process prints.
final class LastLine: Sendable {
    private struct State {
        var line: String?
        var building = ""
        var open = false
    }

    private let state = Mutex(State())
    private let limit = TaskInstance.maximumXComSize + 1

    /// Adds a logged line, or a piece of one that `continues` in the next.
    func add(_ piece: String, continues: Bool) {
        state.withLock { state in
            if !state.open { state.building = "" }
            if state.building.utf8.count < limit { state.building += piece }
            state.open = continues
            if !continues, !state.building.trimmingCharacters(in: .whitespaces).isEmpty {
                state.line = state.building.utf8.count > limit ? String(decoding: state.building.utf8.prefix(limit), as: UTF8.self) : state.building
            }
        }
    }

    var value: String? {
        state.withLock { $0.line }
    }
}
