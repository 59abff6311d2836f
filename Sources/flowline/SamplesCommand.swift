import ArgumentParser
import FlowlineStack
import Samples

/// `flowline samples …`: the line-samples service.
struct SamplesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "The line-samples API: noisy samples on a line, wire-compatible with the original FastAPI service.",
        subcommands: [Serve.self]
    )

    /// `flowline samples serve`
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the line-samples API alone.",
            discussion: """
            Endpoints: GET /hello, POST /get-samples, PUT /put-line-params, GET /line-params, \
            GET /openapi.json, GET /docs, GET /health, GET /metrics.
            """
        )

        @Option(help: "Address to listen on (env: FLOWLINE_HOST; default: 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on; 0 picks a free one (env: FLOWLINE_SAMPLES_PORT; default: 6780).")
        var port: Int?

        @Option(parsing: .unconditional, help: "Initial gradient of the line.")
        var gradient: Double = LineParameters.default.gradient

        @Option(parsing: .unconditional, help: "Initial intercept of the line.")
        var intercept: Double = LineParameters.default.intercept

        @Option(parsing: .unconditional, help: "Initial standard deviation of the noise on y.")
        var noiseSigma: Double = LineParameters.default.noiseSigma

        @Option(help: "Largest n_samples one request may ask for (env: FLOWLINE_SAMPLES_MAX; default: 1000000).")
        var maxSamples: Int?

        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            let line = LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma)
            if let problem = line.problem { throw ValidationError(problem) }
        }

        func run() async throws {
            let settings = Settings.process
            let host = settings.string(flag: host, variable: "FLOWLINE_HOST", default: "127.0.0.1")
            let configuration = SamplesConfiguration(
                host: host,
                port: try settings.port(flag: port, option: "--port", variable: "FLOWLINE_SAMPLES_PORT", default: SamplesConfiguration.defaultPort),
                initialLine: LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma),
                maximumSamplesPerRequest: try StackConfiguration.samplesCap(settings, flag: maxSamples)
            )
            let logger = logging.bootstrap(try StackConfiguration.logLevel(logging.logLevel, settings: settings))
            try await Stack.samples(configuration, logger: logger, output: printNow)
        }
    }
}
