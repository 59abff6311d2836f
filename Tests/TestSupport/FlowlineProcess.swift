public import Foundation
import Synchronization

/// The built `flowline` binary, run as a child process the way a user runs it.
public final class FlowlineProcess: Sendable {
    /// Where the binary is: `FLOWLINE_BIN`, else next to the test bundle in the build folder.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FLOWLINE_BIN"] {
            return URL(fileURLWithPath: path)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("flowline")
    }

    private let process: Process
    private let output = CapturedOutput()
    private let stdin = Pipe()

    /// Starts `flowline arguments…` in `directory` with `environment` added to this process' own;
    /// `launcher` replaces `flowline` when given (e.g. `setpriv --reuid=… /copy/of/flowline`).
    public init(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], launcher: [String] = []) throws {
        process = Process()
        if let executable = launcher.first {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(launcher.dropFirst()) + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FLOWLINE_") || $0.key == "FLOWLINE_BIN" }
        merged.merge(environment) { $1 }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        out.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if data.isEmpty { return output.end(handle) }
            output.text.withLock { $0.stdout += String(decoding: data, as: UTF8.self) }
        }
        err.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if data.isEmpty { return output.end(handle) }
            output.text.withLock { $0.stderr += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Everything written to standard output so far.
    public var standardOutput: String { output.text.withLock { $0.stdout } }
    /// Everything written to standard error so far.
    public var standardError: String { output.text.withLock { $0.stderr } }

    /// Writes `text` to the process' standard input and closes it.
    public func answer(_ text: String) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try stdin.fileHandleForWriting.close()
    }

    /// Waits until standard output contains `text`, or fails after `timeout`.
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !standardOutput.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("no '\(text)' within \(timeout); stdout: \(standardOutput) stderr: \(standardError)")
            }
            guard process.isRunning else {
                throw TestFailure(
                    "flowline exited (\(process.terminationStatus)) before printing '\(text)'; stdout: \(standardOutput) stderr: \(standardError)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The first `http://host:port` URL printed on the line that starts with `name`.
    public func url(of name: String) throws -> String {
        for line in standardOutput.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix(name) {
            if let range = line.range(of: #"http://[^ ]+"#, options: .regularExpression) {
                return String(line[range])
            }
        }
        throw TestFailure("no URL for \(name) in: \(standardOutput)")
    }

    /// Sends `signal` (SIGTERM by default) to the process.
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its exit status; kills it after `timeout`.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("flowline did not exit within \(timeout); stdout: \(standardOutput)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Read what was written just before exiting: wait for the end of both pipes, which a
        // process the child started may still hold open (then give up after a while).
        let drained = ContinuousClock.now + .seconds(5)
        while output.endedPipes < 2, ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Stops the process if it still runs; for `defer` blocks.
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs `flowline arguments…` to completion and returns its status and output.
    public static func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:],
        input: String? = nil
    )
        async throws -> (status: Int32, stdout: String, stderr: String)
    {
        let child = try FlowlineProcess(arguments, in: directory, environment: environment)
        defer { child.terminate() }
        if let input { try child.answer(input) }
        let status = try await child.waitForExit()
        return (status, child.standardOutput, child.standardError)
    }
}

/// What a child process wrote, shared with the pipes' reading handlers.
private final class CapturedOutput: Sendable {
    let text = Mutex<(stdout: String, stderr: String)>(("", ""))
    private let ended = Mutex(0)

    /// How many of the two pipes have reached their end.
    var endedPipes: Int { ended.withLock { $0 } }

    /// A pipe reached its end: stop reading it.
    func end(_ handle: FileHandle) {
        handle.readabilityHandler = nil
        ended.withLock { $0 += 1 }
    }
}
