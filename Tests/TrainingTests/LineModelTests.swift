import Foundation
import Testing

@testable import Training

@Suite("Fitting")
struct LineModelTests {
    /// Exact points of `coefficients` (ascending powers) at `count` x values in [0, 1).
    func exact(_ coefficients: [Double], count: Int = 50) -> SampleSet {
        let x = (0..<count).map { Double($0) / Double(count) }
        return SampleSet(x: x, y: x.map { x in coefficients.reversed().reduce(0) { $0 * x + $1 } })
    }

    @Test("Exact data gives the exact line and R² = 1")
    func exactLine() throws {
        let samples = exact([100, -1])
        let model = try LineModel.fit(ModelSpecification(), to: samples)
        #expect(abs(model.coefficients[0] - 100) < 1e-12)
        #expect(abs(model.coefficients[1] + 1) < 1e-12)
        let scores = FitScores(model: model, samples: samples)
        #expect(scores.r2 == 1)
        #expect(scores.rmse < 1e-12)
    }

    @Test("A cubic recovers a cubic; degree 1 of a cubic does worse")
    func cubic() throws {
        let samples = exact([1, -2, 0.5, 3])
        let cubic = try LineModel.fit(ModelSpecification(degree: 3), to: samples)
        for (found, wanted) in zip(cubic.coefficients, [1, -2, 0.5, 3]) { #expect(abs(found - wanted) < 1e-9) }
        #expect(cubic.kind == "polynomial")
        let line = try LineModel.fit(ModelSpecification(degree: 1), to: samples)
        #expect(FitScores(model: line, samples: samples).r2 < FitScores(model: cubic, samples: samples).r2)
    }

    @Test("Least squares of noisy data matches the normal-equation solution")
    func noisy() throws {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<1000).map { _ in Double.random(in: 0..<1, using: &generator) }
        let y = x.map { 2 * $0 + 1 + Double.random(in: -0.1...0.1, using: &generator) }
        let model = try LineModel.fit(ModelSpecification(), to: SampleSet(x: x, y: y))
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        #expect(abs(model.coefficients[1] - sxy / sxx) < 1e-10)
        #expect(abs(model.coefficients[0] - (my - sxy / sxx * mx)) < 1e-10)
    }

    @Test("Ridge shrinks the slope and leaves the intercept unpenalised")
    func ridge() throws {
        let samples = exact([0, 1], count: 10)
        // Closed form for one feature: slope = Sxy / (Sxx + α), intercept = ȳ − slope·x̄.
        let n = Double(samples.count)
        let mx = samples.x.reduce(0, +) / n
        let my = samples.y.reduce(0, +) / n
        let sxy = zip(samples.x, samples.y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = samples.x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let model = try LineModel.fit(ModelSpecification(degree: 1, ridgeAlpha: 0.5), to: samples)
        let slope = sxy / (sxx + 0.5)
        #expect(abs(model.coefficients[1] - slope) < 1e-12)
        #expect(abs(model.coefficients[0] - (my - slope * mx)) < 1e-12)
        #expect(model.kind == "ridge")
    }

    @Test("Too few samples, one x value, bad settings: clear errors")
    func errors() {
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return ""
            } catch {
                return (error as? TrainingError)?.message ?? "\(error)"
            }
        }
        #expect(message { _ = try LineModel.fit(ModelSpecification(), to: SampleSet()) } == "there are no training samples")
        #expect(
            message { _ = try LineModel.fit(ModelSpecification(degree: 3), to: exact([0, 1], count: 3)) }
                == "3 training samples are fewer than the model's 4 coefficients"
        )
        #expect(
            message { _ = try LineModel.fit(ModelSpecification(), to: SampleSet(x: [1, 1, 1], y: [1, 2, 3])) }.contains(
                "need at least 2 distinct x values"
            )
        )
        #expect(message { _ = try ModelSpecification(degree: 0) }.contains("degree must be between 1 and 15"))
        #expect(message { _ = try ModelSpecification(ridgeAlpha: -1) }.contains("alpha must be a finite number ≥ 0"))
        #expect(message { _ = try ModelSpecification(ridgeAlpha: .nan) }.contains("alpha"))
    }

    @Test("Scores as scikit-learn computes them, including a constant target")
    func scores() {
        let model = LineModel(kind: "linear", degree: 1, alpha: 0, coefficients: [0, 1])
        let scores = FitScores(model: model, samples: SampleSet(x: [0, 1, 2], y: [0, 1, 3]))
        #expect(abs(scores.r2 - (1 - 1 / (14.0 / 3))) < 1e-15)
        #expect(abs(scores.rmse - (1 / 3.0).squareRoot()) < 1e-15)
        #expect(abs(scores.mae - 1 / 3.0) < 1e-15)
        #expect(FitScores(model: model, samples: SampleSet(x: [1, 2], y: [1, 1])).r2 == 0)
        #expect(
            FitScores(model: LineModel(kind: "linear", degree: 1, alpha: 0, coefficients: [1, 0]), samples: SampleSet(x: [1, 2], y: [1, 1])).r2 == 1
        )
    }

    @Test("The model files round-trip, and the params use the original's names")
    func artifact() throws {
        let model = LineModel(kind: "linear", degree: 1, alpha: 0, coefficients: [0.25, 2])
        let files = try ModelArtifact.files(for: model, runID: "abc")
        #expect(files.map(\.name) == ["MLmodel", "model.json", "code/flowline_pyfunc.py"])
        let descriptor = String(decoding: files[0].data, as: UTF8.self)
        #expect(descriptor.contains("flavors:\n  flowline:\n    data: model.json"))
        #expect(descriptor.contains("run_id: abc"))
        #expect(descriptor.contains("  python_function:\n    loader_module: flowline_pyfunc\n    code: code\n    data: model.json"))
        #expect(try ModelArtifact.model(from: files[1].data) == model)
        #expect(throws: TrainingError.self) { try ModelArtifact.model(from: Data("{}".utf8)) }
        let summary = TrainingSummary(
            model: model,
            training: FitScores(model: model, samples: exact([0.25, 2])),
            test: nil,
            modelURL: "u",
            modelCommit: "c"
        )
        let params = Dictionary(uniqueKeysWithValues: summary.params.map { ($0.key, $0.value) })
        #expect(params["coefficient"] == "2.0")
        #expect(params["intercept"] == "0.25")
        #expect(params["model-url"] == "u")
        #expect(params["model-gitsha"] == "c")
        #expect(summary.metrics.map(\.key) == ["training-R2-score", "training-rmse", "training-mae"])
        #expect(model.predict(2) == 4.25)
    }
}
