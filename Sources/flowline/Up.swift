import ArgumentParser
import FlowlineStack
import Serving

/// `flowline up`: the whole stack in one process.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the whole Flowline stack in one process.",
        discussion: """
            Starts every service and prints their URLs; Ctrl-C or SIGTERM stops them gracefully. \
            Services: the orchestrator (port \(Settings.orchestratorPort.defaultValue); DAGs in the data \
            directory's dags/ folder), the MLflow-compatible tracking server (port \(Settings.trackingPort.defaultValue)), \
            the line-samples API (port \(Settings.samplesPort.defaultValue)) and the champion of the example \
            pipeline's model (\(ServingConfiguration.defaultModel), port \(Settings.servingPort.defaultValue), once \
            one exists). With examples on, the example model repository is built in the data directory.
            """
    )

    @Option(Settings.dataDirectory) var dataDir: String?
    @Option(Settings.host) var host: String?
    @Option(Settings.samplesPort) var samplesPort: Int?
    @Option(Settings.trackingPort) var trackingPort: Int?
    @Option(text: Settings.database) var database: String?
    @Option(Settings.orchestratorPort) var orchestratorPort: Int?
    @Option(Settings.servingPort) var servingPort: Int?

    @OptionGroup var orchestrator: OrchestratorOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var artifacts: ArtifactOptions
    @Option(text: Settings.trackingLogins) var trackingAuth: String?
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var flags = StackConfiguration.Flags(
            dataDir: dataDir,
            host: host,
            samplesPort: samplesPort,
            trackingPort: trackingPort,
            database: database,
            logLevel: logging.logLevel
        )
        flags.servingPort = servingPort
        flags.orchestrator = orchestrator.flags
        flags.orchestrator.port = orchestratorPort
        flags.allowedHosts = http.allowedHosts
        flags.trustedOrigins = http.trustedOrigins
        let settings = Settings.process
        var configuration = try StackConfiguration.resolve(flags, settings: settings)
        try artifacts.apply(to: &configuration.tracking, settings: settings)
        try settings.logins(&configuration.tracking, text: trackingAuth)
        let logger = logging.bootstrap(configuration.logLevel)
        try await Stack.up(configuration, logger: logger, output: printNow)
    }
}
