import ArgumentParser
import FlowlineStack
import OrchestratorAPI

/// `flowline server`: the orchestrator alone — scheduler, executor and its HTTP server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the orchestrator alone: scheduler, local executor and its HTTP server (port 8080).",
        discussion: "DAG files in the DAGs folder are picked up as they change. `flowline up` runs the orchestrator too."
    )

    @Option(help: "Address to listen on (env: FLOWLINE_HOST; default: 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env: FLOWLINE_ORCHESTRATOR_PORT; default: 8080).")
    var port: Int?

    @OptionGroup var state: StateOptions
    @OptionGroup var orchestrator: OrchestratorOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let settings = Settings.process
        var flags = orchestrator.flags
        flags.port = port
        var configuration = try state.configuration(flags)
        configuration.host = settings.string(flag: host, variable: "FLOWLINE_HOST", default: "127.0.0.1")
        configuration.policy = http.policy(settings)
        let logger = logging.bootstrap(try StackConfiguration.logLevel(logging.logLevel, settings: settings))
        try await Stack.orchestrator(configuration, dataDirectory: state.dataDirectory, logger: logger, output: printNow)
    }
}
