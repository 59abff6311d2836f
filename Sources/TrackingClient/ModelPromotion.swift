public import JSON

/// Evaluates a training run against a registered model's champion and promotes it: the model
/// evaluation and deployment steps of the example pipeline (`flowline models evaluate|promote`).
public struct ModelPromotion: Sendable {
    public var client: TrackingClient
    /// The registered model, e.g. `line-model`.
    public var model: String
    /// The alias that marks the best version, e.g. `champion`.
    public var alias: String
    /// The metric that decides, e.g. `test-R2-score`; higher is better unless told otherwise.
    public var metric: String
    public var greaterIsBetter: Bool

    public init(client: TrackingClient, model: String, alias: String = "champion", metric: String = "test-R2-score", greaterIsBetter: Bool = true) {
        self.client = client
        self.model = model
        self.alias = alias
        self.metric = metric
        self.greaterIsBetter = greaterIsBetter
    }

    /// How a candidate run compares with the current holder of the alias.
    public struct Comparison: Sendable {
        public var candidateRunID: String
        public var candidateScore: Double
        public var championVersion: String?
        public var championRunID: String?
        public var championScore: Double?
        public var isBetter: Bool
        public var reason: String

        public var json: JSONValue {
            .object([
                "candidate_run_id": .string(candidateRunID),
                "candidate_score": .double(candidateScore),
                "champion_version": championVersion.map { .string($0) } ?? .null,
                "champion_run_id": championRunID.map { .string($0) } ?? .null,
                "champion_score": championScore.map { .double($0) } ?? .null,
                "better": .bool(isBetter),
                "reason": .string(reason),
            ])
        }
    }

    /// Compares `runID`'s metric with the alias holder's run.
    public func compare(runID: String) async throws(TrackingClientError) -> Comparison {
        guard let score = try await client.latestMetric(metric, runID: runID) else {
            throw TrackingClientError(code: nil, status: nil, message: "run \(runID) has no metric '\(metric)' to compare; did its training log it?")
        }
        guard let champion = try await client.modelVersion(model: model, alias: alias), let version = champion["version"]?.string else {
            let (isBetter, reason) = decide(candidate: score, champion: nil)
            return Comparison(candidateRunID: runID, candidateScore: score, isBetter: isBetter, reason: reason)
        }
        let championRun = champion["run_id"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        var championScore: Double?
        if let championRun { championScore = try await client.latestMetric(metric, runID: championRun) }
        var comparison = Comparison(
            candidateRunID: runID,
            candidateScore: score,
            championVersion: version,
            championRunID: championRun,
            championScore: championScore,
            isBetter: false,
            reason: ""
        )
        (comparison.isBetter, comparison.reason) = decide(candidate: score, champion: (version, championScore))
        return comparison
    }

    /// Whether a candidate scoring `candidate` beats the alias holder (`nil`: there is none; its
    /// score `nil`: it has no such metric), and why. A NaN candidate never wins; a holder without
    /// a score (or with NaN) always loses; equal scores keep the holder.
    public func decide(candidate: Double, champion: (version: String, score: Double?)?) -> (isBetter: Bool, reason: String) {
        if candidate.isNaN { return (false, "\(metric) is NaN") }
        guard let champion else { return (true, "'\(model)' has no \(alias) yet") }
        guard let score = champion.score, !score.isNaN else {
            return (true, "the \(alias) (version \(champion.version)) has no \(metric)")
        }
        let relation = candidate == score ? "equal to" : (candidate > score) ? "above" : "below"
        return (
            greaterIsBetter ? candidate > score : candidate < score,
            "\(metric) \(candidate) is \(relation) the \(alias)'s \(score) (version \(champion.version))"
        )
    }

    /// Registers the model `runID` produced as a new version, and moves the alias to it when it
    /// beats the current holder (checked again now, so concurrent pipelines cannot demote a better
    /// model). `modelURI` is where the run's model is; found from the run when `nil`.
    public func promote(runID: String, modelURI: String?) async throws(TrackingClientError) -> JSONValue {
        let comparison = try await compare(runID: runID)
        let source = try await modelSource(runID: runID, modelURI: modelURI)
        try await client.ensureRegisteredModel(model)
        let version = try await client.createModelVersion(
            model: model,
            source: source.source,
            runID: runID,
            modelID: source.modelID,
            tags: [(metric, String(comparison.candidateScore))]
        )
        let number = version["version"]?.string ?? ""
        if comparison.isBetter { try await client.setAlias(model: model, alias: alias, version: number) }
        return .object([
            "registered_model": .string(model),
            "version": .string(number),
            "source": .string(source.source),
            "alias": .string(alias),
            "alias_moved": .bool(comparison.isBetter),
            "champion_version": .string(comparison.isBetter ? number : comparison.championVersion ?? ""),
            "reason": .string(comparison.reason),
        ])
    }

    /// The registry source of a run's model: its `model/` artifacts (Flowline's trainer), else the
    /// newest logged model it produced (MLflow 3's `log_model`).
    public func modelSource(runID: String, modelURI: String?) async throws(TrackingClientError) -> (source: String, modelID: String?) {
        if let modelURI, !modelURI.isEmpty {
            let reference = try ModelReference(modelURI)
            if case .loggedModel(let id) = reference { return (modelURI, id) }
            return (try await client.locate(reference).artifactURI, nil)
        }
        let run = try await client.run(id: runID)
        if let found = try await client.runModel(run) { return found }
        throw TrackingClientError(code: nil, status: nil, message: "run \(runID) logged no model: no model/MLmodel artifact and no logged model")
    }
}

extension TrackingClient {
    /// Where the model a run logged is: `model/` in its artifacts, or its newest logged model.
    public func runModel(_ run: JSONValue) async throws(TrackingClientError) -> (source: String, modelID: String?)? {
        guard let runID = run["info"]?["run_id"]?.string, let root = run["info"]?["artifact_uri"]?.string else { return nil }
        if try await listArtifacts(runID: runID, path: "model").contains("model/MLmodel") {
            return (root + "/model", nil)
        }
        if let experiment = run["info"]?["experiment_id"]?.string,
            let id = try await loggedModels(experimentID: experiment, runID: runID).first?["info"]?["model_id"]?.string
        {
            return ("models:/\(id)", id)
        }
        return nil
    }
}
