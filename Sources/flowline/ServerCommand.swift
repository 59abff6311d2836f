import ArgumentParser
import FlowlineStack
import OrchestratorAPI

/// `flowline server`: the orchestrator alone — scheduler, executor and its HTTP server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the orchestrator alone: scheduler, local executor and its HTTP server (port \(Settings.orchestratorPort.defaultValue)).",
        discussion: "DAG files in the DAGs folder are picked up as they change. `flowline up` runs the orchestrator too."
    )

    /// `--port`: this command serves one service.
    static let port = Settings.orchestratorPort.named("--port")

    @Option(Settings.host) var host: String?
    @Option(ServerCommand.port) var port: Int?

    @OptionGroup var state: StateOptions
    @OptionGroup var orchestrator: OrchestratorOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let settings = Settings.process
        var flags = orchestrator.flags
        flags.port = try settings.value(Self.port, flag: port)  // errors name --port
        var configuration = try state.configuration(flags)
        configuration.host = try settings.value(Settings.host, flag: host)
        configuration.policy = try http.policy(settings)
        let logger = logging.bootstrap(try logging.level(settings))
        try await Stack.orchestrator(configuration, dataDirectory: try state.dataDirectory, logger: logger, output: printNow)
    }
}
