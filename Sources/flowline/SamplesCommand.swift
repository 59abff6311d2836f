import ArgumentParser
import FlowlineStack
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Samples
import Training

/// `flowline samples …`: the line-samples service.
struct SamplesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "The line-samples API: noisy samples on a line, wire-compatible with the original FastAPI service.",
        subcommands: [Serve.self, Fetch.self, Check.self]
    )

    /// `flowline samples fetch`
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch samples from a samples service into a JSON file.",
            discussion: "POSTs {\"n_samples\": COUNT} to URL/get-samples and writes the answer to --out (atomically)."
        )

        @Option(help: "The samples service (env: FLOWLINE_SAMPLES_URL; default: http://127.0.0.1:6780).")
        var url: String?

        @Option(help: "How many samples to fetch.")
        var count: Int

        @Option(help: "The file to write.")
        var out: String

        func validate() throws {
            guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count)") }
        }

        func run() async throws {
            let base = url ?? ProcessInfo.processInfo.environment["FLOWLINE_SAMPLES_URL"] ?? "http://127.0.0.1:\(SamplesConfiguration.defaultPort)"
            guard let endpoint = URL(string: (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/get-samples"),
                  endpoint.scheme == "http" || endpoint.scheme == "https" else {
                throw CommandFailure("--url '\(base)' is not an http(s) URL")
            }
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"n_samples": \#(count)}"#.utf8)
            request.timeoutInterval = 120
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                throw CommandFailure("cannot reach the samples service at \(base): \(error.localizedDescription)")
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else {
                throw CommandFailure("the samples service at \(base) answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
            }
            let target = URL(fileURLWithPath: out)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: target, options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
            }
            printNow("Fetched \(count) samples from \(endpoint.absoluteString) into \(out) (\(data.count) bytes)")
        }
    }

    /// `flowline samples check`
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a samples file holds pairs of finite numbers (and how many).",
            discussion: "Exits 1 naming the bad samples (index in the JSON list, or CSV line); prints a JSON summary last."
        )

        @Argument(help: "The samples file (.json or .csv).")
        var file: String

        @Option(help: "The number of samples the file must hold.")
        var count: Int?

        func run() async throws {
            let samples: SampleSet
            do {
                samples = try SampleReader.read(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure(error.message)
            }
            if samples.count == 0 { throw CommandFailure("\(file) holds no samples") }
            if let count, samples.count != count {
                throw CommandFailure("\(file) holds \(samples.count) samples, not the \(count) asked for")
            }
            printNow("\(file): \(samples.count) samples, each a pair of finite numbers")
            printNow(JSONValue.object(["file": .string(file), "count": .integer(samples.count)]).jsonText)
        }
    }

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

        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            let line = LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma)
            if let problem = line.problem { throw ValidationError(problem) }
        }

        func run() async throws {
            let settings = Settings.process
            let host = settings.string(flag: host, variable: "FLOWLINE_HOST", default: "127.0.0.1")
            var configuration = SamplesConfiguration(
                host: host,
                port: try settings.port(flag: port, option: "--port", variable: "FLOWLINE_SAMPLES_PORT", default: SamplesConfiguration.defaultPort),
                initialLine: LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma),
                maximumSamplesPerRequest: try StackConfiguration.samplesCap(settings, flag: maxSamples)
            )
            configuration.policy = http.policy(settings)
            let logger = logging.bootstrap(try StackConfiguration.logLevel(logging.logLevel, settings: settings))
            try await Stack.samples(configuration, logger: logger, output: printNow)
        }
    }
}
