import ArgumentParser
import Fetching
import FlowlineStack
import Foundation
import JSON
import Samples
import Training

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

        @Option(Settings.samplesURL) var url: String?

        @Option(help: "How many samples to fetch.")
        var count: Int

        @Option(help: "The file to write.")
        var out: String

        func validate() throws {
            guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count)") }
        }

        func run() async throws {
            let base = try Settings.process.value(Settings.samplesURL, flag: url)
            guard let endpoint = URL(string: (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/get-samples") else {
                throw CommandFailure("--url '\(base)' is not an http(s) URL")
            }
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"n_samples": \#(count)}"#.utf8)
            let answer: HTTPAnswer
            do {
                answer = try await HTTPClient(timeout: .seconds(120)).send(request)
            } catch let error as HTTPClientError {
                throw CommandFailure("cannot reach the samples service at \(base): \(error.message)")
            }
            let data = answer.body
            guard answer.status == 200 else {
                throw CommandFailure("the samples service at \(base) answered \(answer.status): \(answer.excerpt(500))")
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

        /// `--port`: this command serves one service.
        static let port = Settings.samplesPort.named("--port")

        @Option(Settings.host) var host: String?
        @Option(Serve.port) var port: Int?

        @Option(parsing: .unconditional, help: "Initial gradient of the line.")
        var gradient: Double = LineParameters.default.gradient

        @Option(parsing: .unconditional, help: "Initial intercept of the line.")
        var intercept: Double = LineParameters.default.intercept

        @Option(parsing: .unconditional, help: "Initial standard deviation of the noise on y.")
        var noiseSigma: Double = LineParameters.default.noiseSigma

        @Option(Settings.samplesMaximum) var maxSamples: Int?

        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            let line = LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma)
            if let problem = line.problem { throw ValidationError(problem) }
        }

        func run() async throws {
            let settings = Settings.process
            var configuration = SamplesConfiguration(
                host: try settings.value(Settings.host, flag: host),
                port: try settings.value(Serve.port, flag: port),
                initialLine: LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma),
                maximumSamplesPerRequest: try settings.value(Settings.samplesMaximum, flag: maxSamples)
            )
            configuration.policy = try http.policy(settings)
            let logger = logging.bootstrap(try logging.level(settings))
            try await Stack.samples(configuration, logger: logger, output: printNow)
        }
    }
}
