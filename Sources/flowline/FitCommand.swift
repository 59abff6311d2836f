import ArgumentParser
import FlowlineStack
import Foundation
import JSON
import Lineage
import ObjectStorage
import TrackingClient
import Training

/// `flowline fit`: the trainer of the example model.
struct FitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a line or polynomial to samples by least squares, score it, and log it to the tracking run.",
        discussion: """
            Samples are the samples service's JSON ({"samples": [[x, y], …]}) or CSV (x,y). With \
            MLFLOW_RUN_ID and MLFLOW_TRACKING_URI set (the project operator sets them, with the run's \
            artifact root and the params it logged, so nothing is read back), params \
            (coefficient, intercept, model-url, model-gitsha, model, degree, alpha, n-train, n-test), \
            metrics (training-/test- R2-score, rmse, mae) and the model (artifact model/) go to that \
            run; the results are printed either way, the last line as JSON.
            """
    )

    @Option(help: "The training samples (.json or .csv).")
    var train: String

    @Option(help: "Test samples to score the model on (.json or .csv).")
    var test: String?

    @Option(help: "Degree of the polynomial: 1 is a line.")
    var degree: Int = 1

    @Option(help: "Ridge penalty on the coefficients (not the intercept); 0 is plain least squares.")
    var alpha: Double = 0

    @Option(help: "The tracking run to log to (env: MLFLOW_RUN_ID); none prints only.")
    var runID: String?

    @Option(help: "The tracking server (env: MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    @Option(help: "The model code's repository, logged as model-url (env: FLOWLINE_PROJECT_REPO).")
    var modelURL: String?

    @Option(help: "The model code's commit, logged as model-gitsha (env: FLOWLINE_PROJECT_COMMIT).")
    var modelGitsha: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let summary: TrainingSummary
        do {
            let specification = try ModelSpecification(degree: degree, ridgeAlpha: alpha)
            let training = try SampleReader.read(contentsOf: URL(fileURLWithPath: train))
            let testSamples = try test.map { path throws(TrainingError) in try SampleReader.read(contentsOf: URL(fileURLWithPath: path)) }
            if let testSamples, testSamples.count == 0 { throw TrainingError("\(test ?? "the test file") has no samples") }
            let model = try LineModel.fit(specification, to: training)
            summary = TrainingSummary(
                model: model,
                training: FitScores(model: model, samples: training),
                test: testSamples.map { FitScores(model: model, samples: $0) },
                modelURL: modelURL ?? environment[Lineage.Environment.projectRepository],
                modelCommit: modelGitsha ?? environment[Lineage.Environment.projectCommit]
            )
        } catch let error as TrainingError {
            throw CommandFailure(error.message)
        }
        for param in summary.params { printNow("\(param.key): \(param.value)") }
        for metric in summary.metrics { printNow("\(metric.key): \(metric.value)") }

        var result: [String: JSONValue] = [
            "coefficients": .array(summary.model.coefficients.map { .double($0) }),
            "metrics": .object(Dictionary(uniqueKeysWithValues: summary.metrics.map { ($0.key, JSONValue.double($0.value)) })),
        ]
        if let runID = runID ?? environment[Lineage.Environment.trackingRunID], !runID.isEmpty {
            let uri = trackingURI ?? environment[Lineage.Environment.trackingURI] ?? ""
            // From the project operator: the run's artifact root and the params it logged.
            let given = self.runID == nil ? RunFacts(environment: environment) : nil
            // A run of a server with --no-serve-artifacts has an s3:// artifact root, written directly.
            let objectStore = (try? Settings(environment: environment).objectStoreAccess(for: "s3:// artifacts"))?.client()
            do {
                var client = try TrackingClient(trackingURI: uri)
                client.objectStore = objectStore
                client.authorization = TrackingClient.authorization(environment: environment)
                try await log(summary, runID: runID, client: client, given: given)
                await objectStore?.shutdown()
            } catch {
                await objectStore?.shutdown()
                throw CommandFailure("cannot log to tracking run \(runID): \(error.message)")
            }
            printNow("Logged to run \(runID) at \(uri)")
            result["run_id"] = .string(runID)
        }
        printNow(JSONValue.object(result).jsonText)
    }

    /// What the trainer must know of its tracking run: where its artifacts go, and the params it
    /// already has (the project operator logs the entry point's parameters).
    struct RunFacts {
        var artifactURI: String
        var params: [String: String]

        /// The facts the project operator passes in the environment, if it did.
        init?(environment: [String: String]) {
            guard let uri = environment[Lineage.Environment.artifactURI], !uri.isEmpty else { return nil }
            artifactURI = uri
            let logged = environment[Lineage.Environment.loggedParams].flatMap { try? JSONParser.parse(Array($0.utf8)) }
            var params: [String: String] = [:]
            if case .object(let members)? = logged {
                for (key, value) in members { params[key] = value.string }
            }
            self.params = params
        }

        /// The facts read from the run itself (`flowline fit --run-id`, run by hand).
        init(run: JSONValue, runID: String) throws(TrackingClientError) {
            guard let uri = run["info"]?["artifact_uri"]?.string else {
                throw TrackingClientError(code: nil, status: nil, message: "run \(runID) has no artifact location")
            }
            artifactURI = uri
            var params: [String: String] = [:]
            for param in run["data"]?["params"]?.array ?? [] {
                if let key = param["key"]?.string { params[key] = param["value"]?.string }
            }
            self.params = params
        }
    }

    /// Logs params, metrics and the model. Params the run already has with the same value are not
    /// sent again.
    private func log(_ summary: TrainingSummary, runID: String, client: TrackingClient, given: RunFacts?) async throws(TrackingClientError) {
        let facts: RunFacts
        if let given {
            facts = given
        } else {
            facts = try RunFacts(run: try await client.run(id: runID), runID: runID)
        }
        let params = summary.params.filter { param in
            guard let old = facts.params[param.key] else { return true }
            return old != param.value && Double(old) != Double(param.value)
        }
        try await client.logBatch(runID: runID, params: params, metrics: summary.metrics)
        let root = facts.artifactURI
        let files: [(name: String, data: Data)]
        do {
            files = try ModelArtifact.files(for: summary.model, runID: runID)
        } catch {
            throw TrackingClientError(code: nil, status: nil, message: "cannot write the model files: \(error)")
        }
        for file in files { try await client.upload(file.data, to: "model/\(file.name)", under: root) }
    }
}
