import Foundation
import HTTPSupport

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
        let termination = try await process.run(onStart: context.processStarted) { line, isStdout in
            log.write(line, level: isStdout ? .info : .warning, source: isStdout ? "stdout" : "stderr")
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { (isStdout ? lastLine : lastError).set(line) }
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

/// The last non-empty stdout line, set from the output thread.
final class LastLine: @unchecked Sendable {
    private let lock = NSLock()
    private var line: String?

    func set(_ value: String) {
        lock.lock()
        line = value
        lock.unlock()
    }

    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return line
    }
}
