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
                Point the mlflow client at it with \(Settings.trackingURI.description)=\(Settings.trackingURI.defaultValue). \
                The schema is created and migrated at start.
                """
        )

        /// `--port`: this command serves one service.
        static let port = Settings.trackingPort.named("--port")

        @Option(Settings.host) var host: String?
        @Option(Serve.port) var port: Int?

        @Option(
            help: "Where runs are stored: sqlite:///path or postgresql://user:password@host:port/db (default: tracking.db in the data directory)."
        )
        var backendStoreURI: String?

        @Option(Settings.dataDirectory) var dataDir: String?

        @OptionGroup var artifactOptions: ArtifactOptions

        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let settings = Settings.process
            let dataDirectory = DataDirectory(path: try settings.value(Settings.dataDirectory, flag: dataDir))
            var backendStore: DatabaseURL?
            if let backendStoreURI, !backendStoreURI.isEmpty { backendStore = try DatabaseURL(backendStoreURI) }
            var configuration = StackConfiguration.trackingConfiguration(backendStore: backendStore, dataDirectory: dataDirectory)
            configuration.host = try settings.value(Settings.host, flag: host)
            configuration.port = try settings.value(Serve.port, flag: port)
            configuration.policy = try http.policy(settings)
            try artifactOptions.apply(to: &configuration, settings: settings)
            let logger = logging.bootstrap(try logging.level(settings))
            try await Stack.tracking(configuration, dataDirectory: dataDirectory, logger: logger, output: printNow)
        }
    }
}
