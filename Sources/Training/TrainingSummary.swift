/// What a training run logs: the original DAG's params and metrics, and more.
public struct TrainingSummary: Sendable {
    public var model: LineModel
    public var training: FitScores
    public var test: FitScores?
    /// The model code's repository and commit, when known (the original's `model-url`, `model-gitsha`).
    public var modelURL: String?
    public var modelCommit: String?

    public init(model: LineModel, training: FitScores, test: FitScores?, modelURL: String?, modelCommit: String?) {
        self.model = model
        self.training = training
        self.test = test
        self.modelURL = modelURL
        self.modelCommit = modelCommit
    }

    /// Params, in logging order. `coefficient` is the slope of a line, and the list of the
    /// non-constant coefficients of a higher-degree polynomial.
    public var params: [(key: String, value: String)] {
        let slopes = model.coefficients.dropFirst()
        var params: [(String, String)] = [
            ("coefficient", slopes.count == 1 ? Self.text(slopes[slopes.startIndex]) : "[" + slopes.map(Self.text).joined(separator: ", ") + "]"),
            ("intercept", Self.text(model.intercept)),
            ("model", model.kind),
            ("degree", String(model.degree)),
            ("alpha", Self.text(model.alpha)),
            ("n-train", String(training.count)),
            ("n-test", String(test?.count ?? 0)),
        ]
        if let modelURL { params.append(("model-url", modelURL)) }
        if let modelCommit { params.append(("model-gitsha", modelCommit)) }
        return params
    }

    /// Metrics, in logging order; a test set's only when there is one.
    public var metrics: [(key: String, value: Double)] {
        var metrics: [(String, Double)] = [
            ("training-R2-score", training.r2), ("training-rmse", training.rmse), ("training-mae", training.mae),
        ]
        if let test {
            metrics += [("test-R2-score", test.r2), ("test-rmse", test.rmse), ("test-mae", test.mae)]
        }
        return metrics
    }

    /// A double as Python's `repr` writes it (shortest text that reads back the same).
    static func text(_ value: Double) -> String { value.description }
}
