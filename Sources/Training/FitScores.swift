/// How well a model fits some samples.
public struct FitScores: Sendable, Equatable {
    /// The coefficient of determination, as scikit-learn's `r2_score` computes it.
    public var r2: Double
    public var rmse: Double
    public var mae: Double
    public var count: Int

    /// Scores `model` on `samples` (two passes: the mean, then the residuals).
    public init(model: LineModel, samples: SampleSet) {
        count = samples.count
        guard count > 0 else {
            (r2, rmse, mae) = (.nan, .nan, .nan)
            return
        }
        let mean = samples.y.reduce(0, +) / Double(count)
        var residualSquares = 0.0
        var totalSquares = 0.0
        var absolute = 0.0
        for index in 0..<count {
            let y = samples.y[index]
            let residual = y - model.predict(samples.x[index])
            residualSquares += residual * residual
            absolute += abs(residual)
            totalSquares += (y - mean) * (y - mean)
        }
        // scikit-learn: a constant target scores 1 when predicted exactly, else 0.
        r2 = totalSquares == 0 ? (residualSquares == 0 ? 1 : 0) : 1 - residualSquares / totalSquares
        rmse = (residualSquares / Double(count)).squareRoot()
        mae = absolute / Double(count)
    }
}
