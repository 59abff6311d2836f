import ArgumentParser
import FlowlineStack
import Foundation
import JSON
import Serving
import TrackingClient

/// `flowline models …`: the model registry from the pipeline's side.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Serve, evaluate and promote registered models.",
        subcommands: [Serve.self, Evaluate.self, Promote.self]
    )

    /// Where the tracking server is.
    struct TrackingOptions: ParsableArguments {
        @Option(Settings.trackingURI) var trackingURI: String?

        /// A client of the tracking server.
        /// - Throws: ``SettingsError`` for a URI that is not an http(s) URL.
        func client() throws -> TrackingClient {
            let uri = try Settings.process.value(Settings.trackingURI, flag: trackingURI)
            do {
                var client = try TrackingClient(trackingURI: uri)
                client.authorization = TrackingClient.authorization(environment: ProcessInfo.processInfo.environment)
                return client
            } catch {
                throw CommandFailure(error.message)
            }
        }
    }

    /// What decides which model is better.
    struct PromotionOptions: ParsableArguments {
        @Option(help: "The tracking run that trained the candidate.")
        var runID: String

        @Option(help: "The registered model, e.g. line-model.")
        var model: String

        @Option(help: "The alias the best version carries.")
        var alias: String = "champion"

        @Option(help: "The metric that decides.")
        var metric: String = "test-R2-score"

        @Flag(help: "Lower values of the metric are better (an error, not a score).")
        var lowerIsBetter = false

        func promotion(_ client: TrackingClient) -> ModelPromotion {
            ModelPromotion(client: client, model: model, alias: alias, metric: metric, greaterIsBetter: !lowerIsBetter)
        }
    }

    /// `flowline models evaluate`
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a run's metric with the alias holder's; prints the comparison as JSON."
        )

        @OptionGroup var tracking: TrackingOptions
        @OptionGroup var options: PromotionOptions

        func run() async throws {
            do {
                let comparison = try await options.promotion(try tracking.client()).compare(runID: options.runID)
                printNow(comparison.reason + (comparison.isBetter ? ": the candidate is better" : ": the candidate is not better"))
                printNow(comparison.json.jsonText)
            } catch let error as TrackingClientError {
                throw CommandFailure(error.message)
            }
        }
    }

    /// `flowline models promote`
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a run's model as a new version; move the alias to it if it is better.",
            discussion: "Prints what happened as JSON: the version, and whether the alias moved."
        )

        @OptionGroup var tracking: TrackingOptions
        @OptionGroup var options: PromotionOptions

        @Option(help: "Where the run's model is (runs:/…, models:/m-…, mlflow-artifacts:…); found from the run when omitted.")
        var modelURI: String?

        func run() async throws {
            do {
                let result = try await options.promotion(try tracking.client()).promote(runID: options.runID, modelURI: modelURI)
                let moved = result["alias_moved"] == .bool(true)
                printNow(
                    "Registered \(options.model) version \(result["version"]?.string ?? "?"); \(options.alias) \(moved ? "moved to it" : "stays on version \(result["champion_version"]?.string ?? "?")") (\(result["reason"]?.string ?? ""))"
                )
                printNow(result.jsonText)
            } catch let error as TrackingClientError {
                throw CommandFailure(error.message)
            }
        }
    }

    /// `flowline models serve`
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a model with MLflow's scoring protocol, following its alias.",
            discussion: """
                POST /invocations with {"inputs": …}, {"instances": …}, {"dataframe_split": …} or \
                {"dataframe_records": …} (or CSV) answers {"predictions": […]}; GET /ping, /health, \
                /version. For models:/<name>@<alias>, the alias is checked every --poll-interval and \
                the new version loaded when it moves (polling is the fallback for a tracking server in \
                another process; `flowline up` is told of alias moves and serves them at once).
                """
        )

        @Argument(help: "The model: models:/<name>@<alias>, models:/<name>/<version>, runs:/<run_id>/model.")
        var model: String

        /// `--port`: this command serves one service.
        static let port = Settings.servingPort.named("--port")

        @Option(Settings.host) var host: String?
        @Option(Serve.port) var port: Int?

        @Option(help: "How often to check whether the alias moved, in seconds.")
        var pollInterval: Double = 2

        @OptionGroup var tracking: TrackingOptions
        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard pollInterval > 0, pollInterval <= 3600 else { throw ValidationError("--poll-interval must be between 0 and 3600 seconds") }
        }

        func run() async throws {
            let reference: ModelReference
            do {
                reference = try ModelReference(model)
            } catch {
                throw CommandFailure(error.message)
            }
            let settings = Settings.process
            var configuration = ServingConfiguration(
                host: try settings.value(Settings.host, flag: host),
                port: try settings.value(Serve.port, flag: port),
                model: reference,
                pollInterval: .milliseconds(Int64(pollInterval * 1000))
            )
            configuration.policy = try http.policy(settings)
            let logger = logging.bootstrap(try logging.level(settings))
            // Models of a server with --no-serve-artifacts are read from the bucket, as MLflow's client reads them.
            let objectStore = try? settings.objectStoreAccess(for: "reading s3:// models")
            try await Stack.serving(configuration, client: try tracking.client(), objectStore: objectStore, logger: logger, output: printNow)
        }
    }
}
