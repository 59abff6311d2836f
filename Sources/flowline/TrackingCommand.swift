import ArgumentParser
import FlowlineStack
import Storage
import Tracking

/// `flowline tracking …`: the MLflow-compatible tracking server.
struct TrackingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking",
        abstract: "The tracking server: MLflow's REST API, for the official mlflow client.",
        subcommands: [Serve.self]
    )

    /// `flowline tracking serve`, with `mlflow server`'s flag names.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the tracking server alone.",
            discussion: """
            Point the mlflow client at it with MLFLOW_TRACKING_URI=http://127.0.0.1:5000. The schema \
            is created and migrated at start.
            """
        )

        @Option(help: "Address to listen on (env: FLOWLINE_HOST; default: 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on; 0 picks a free one (env: FLOWLINE_TRACKING_PORT; default: 5000).")
        var port: Int?

        @Option(help: "Where runs are stored: sqlite:///path or postgresql://user:password@host:port/db (default: tracking.db in the data directory).")
        var backendStoreURI: String?

        @Option(help: "The folder proxied artifacts are stored in (default: artifacts/ in the data directory).")
        var artifactsDestination: String?

        @Option(help: "The data directory (env: FLOWLINE_DATA_DIR; default: ./flowline-data).")
        var dataDir: String?

        @OptionGroup var artifactOptions: ArtifactOptions

        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let settings = Settings.process
            let dataDirectory = DataDirectory(path: settings.string(flag: dataDir, variable: "FLOWLINE_DATA_DIR", default: DataDirectory.defaultPath))
            var configuration = try StackConfiguration.trackingConfiguration(
                backendStoreURI: backendStoreURI, artifactsDestination: artifactsDestination, dataDirectory: dataDirectory
            )
            configuration.host = settings.string(flag: host, variable: "FLOWLINE_HOST", default: "127.0.0.1")
            configuration.port = try settings.port(flag: port, option: "--port", variable: "FLOWLINE_TRACKING_PORT", default: TrackingConfiguration.defaultPort)
            configuration.policy = http.policy(settings)
            try StackConfiguration.artifactLimits(
                &configuration, maximumSize: artifactOptions.maxArtifactSize, deleteCredential: artifactOptions.artifactsDeleteCredential, settings: settings
            )
            let logger = logging.bootstrap(try StackConfiguration.logLevel(logging.logLevel, settings: settings))
            try await Stack.tracking(configuration, dataDirectory: dataDirectory, logger: logger, output: printNow)
        }
    }
}
