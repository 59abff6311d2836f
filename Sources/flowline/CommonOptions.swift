import ArgumentParser
import FlowlineStack
import Foundation
import HTTPSupport
import Logging
import Tracking

/// Options shared by the commands that run services.
struct LoggingOptions: ParsableArguments {
    @Option(text: Settings.logLevel) var logLevel: String?

    /// The level this option and the environment give.
    /// - Throws: ``SettingsError`` for a name that is not a level.
    func level(_ settings: Settings) throws -> Logger.Level {
        try settings.value(Settings.logLevel, text: logLevel)
    }

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
    @Option(Settings.allowedHosts) var allowedHosts: String?
    @Option(Settings.trustedOrigins) var trustedOrigins: String?

    /// The policy these options and the environment give.
    func policy(_ settings: Settings) throws -> ServerPolicy {
        try StackConfiguration.serverPolicy(allowedHosts: allowedHosts, trustedOrigins: trustedOrigins, settings: settings)
    }
}

/// The tracking server's artifact limits.
struct ArtifactOptions: ParsableArguments {
    @Option(Settings.artifactsDestination) var artifactsDestination: String?
    @Flag(Settings.noServeArtifacts) var noServeArtifacts = false
    @Option(Settings.defaultArtifactRoot) var defaultArtifactRoot: String?
    @Option(text: Settings.maximumArtifactSize) var maxArtifactSize: String?
    @Option(text: Settings.artifactsDeleteCredential) var artifactsDeleteCredential: String?

    /// The tracking server's artifact settings: these flags, else the environment, else defaults.
    func apply(to tracking: inout TrackingConfiguration, settings: Settings) throws {
        try settings.artifactStorage(
            &tracking,
            destination: artifactsDestination,
            noServeArtifacts: noServeArtifacts,
            defaultRoot: defaultArtifactRoot
        )
        try StackConfiguration.artifactLimits(
            &tracking,
            maximumSize: maxArtifactSize,
            deleteCredential: artifactsDeleteCredential,
            settings: settings
        )
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
