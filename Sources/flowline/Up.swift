import ArgumentParser
import FlowlineStack

/// `flowline up`: the whole stack in one process.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the whole Flowline stack in one process.",
        discussion: """
        Starts every service and prints their URLs; Ctrl-C or SIGTERM stops them gracefully. \
        Services: the orchestrator (port 8080; DAGs in the data directory's dags/ folder), the \
        MLflow-compatible tracking server (port 5000), the line-samples API (port 6780) and the \
        champion of the example pipeline's model (models:/line-model@champion, port 5001, once one \
        exists). With examples on, the example model repository is built in the data directory.
        """
    )

    @Option(help: "The data directory, holding all state (env: FLOWLINE_DATA_DIR; default: ./flowline-data).")
    var dataDir: String?

    @Option(help: "Address the services listen on (env: FLOWLINE_HOST; default: 127.0.0.1).")
    var host: String?

    @Option(help: "Port of the line-samples API; 0 picks a free one (env: FLOWLINE_SAMPLES_PORT; default: 6780).")
    var samplesPort: Int?

    @Option(help: "Port of the tracking server; 0 picks a free one (env: FLOWLINE_TRACKING_PORT; default: 5000).")
    var trackingPort: Int?

    @Option(help: "Database URL, sqlite:///path or postgresql://user:password@host:port/db (env: FLOWLINE_DATABASE; default: SQLite files in the data directory).")
    var database: String?

    @Option(help: "Port of the orchestrator; 0 picks a free one (env: FLOWLINE_ORCHESTRATOR_PORT; default: 8080).")
    var orchestratorPort: Int?

    @Option(help: "Port of the model server; 0 picks a free one (env: FLOWLINE_SERVING_PORT; default: 5001).")
    var servingPort: Int?

    @OptionGroup var orchestrator: OrchestratorOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var artifacts: ArtifactOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var flags = StackConfiguration.Flags(
            dataDir: dataDir, host: host, samplesPort: samplesPort, trackingPort: trackingPort, database: database, logLevel: logging.logLevel
        )
        flags.servingPort = servingPort
        flags.orchestrator = orchestrator.flags
        flags.orchestrator.port = orchestratorPort
        flags.allowedHosts = http.allowedHosts
        flags.trustedOrigins = http.trustedOrigins
        flags.maximumArtifactSize = artifacts.maxArtifactSize
        flags.artifactDeleteCredential = artifacts.artifactsDeleteCredential
        let configuration = try StackConfiguration.resolve(flags, settings: .process)
        let logger = logging.bootstrap(configuration.logLevel)
        try await Stack.up(configuration, logger: logger, output: printNow)
    }
}
