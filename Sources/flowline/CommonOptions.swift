import ArgumentParser
import FlowlineStack
import Foundation
import HTTPSupport
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

/// What every server accepts beyond its own address (`ServerPolicy`).
struct HTTPOptions: ParsableArguments {
    @Option(help: "Host names the servers answer besides loopback and private addresses, comma-separated: name, name:port, *.domain, 192.168.*, or * for any (env: FLOWLINE_ALLOWED_HOSTS).")
    var allowedHosts: String?

    @Option(help: "Web origins whose pages may write to the servers (https://app.example.com), comma-separated (env: FLOWLINE_TRUSTED_ORIGINS).")
    var trustedOrigins: String?

    /// The policy these options and the environment give.
    func policy(_ settings: Settings) -> ServerPolicy {
        StackConfiguration.serverPolicy(allowedHosts: allowedHosts, trustedOrigins: trustedOrigins, settings: settings)
    }
}

/// The tracking server's artifact limits.
struct ArtifactOptions: ParsableArguments {
    @Option(help: "The largest artifact upload: bytes, or with K, M or G (env: FLOWLINE_MAX_ARTIFACT_SIZE; default: no limit).")
    var maxArtifactSize: String?

    @Option(help: "USER:PASSWORD that deleting an artifact, or replacing one that exists, needs as HTTP basic auth (MLFLOW_TRACKING_USERNAME/PASSWORD of the mlflow client); new files need none (env: FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL; default: none needed).")
    var artifactsDeleteCredential: String?
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
