import ArgumentParser
import FlowlineStack
import Foundation
import Logging

/// Options shared by the commands that run services.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical (env: FLOWLINE_LOG_LEVEL; default: info).")
    var logLevel: String?

    /// Sends logs to standard error at the chosen level and returns the root logger.
    func bootstrap(_ level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "flowline")
        logger.logLevel = level
        return logger
    }
}

/// Writes a line to standard output at once, even when stdout is a pipe.
@Sendable func printNow(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

extension Settings {
    /// Settings from this process' environment.
    static var process: Settings { Settings(environment: ProcessInfo.processInfo.environment) }
}

/// A command that could not do its work: printed as `Error: <message>`, without the usage text
/// (which is for mistakes in the command line), and exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
