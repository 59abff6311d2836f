/// What to fit: a polynomial in x of some degree (1 is a line), optionally with a ridge penalty on
/// every coefficient but the intercept.
public struct ModelSpecification: Sendable, Equatable {
    public var degree: Int
    public var ridgeAlpha: Double

    /// Degrees beyond this are refused: such polynomials are numerically meaningless on raw x.
    public static let maximumDegree = 15

    public init(degree: Int = 1, ridgeAlpha: Double = 0) throws(TrainingError) {
        guard (1...Self.maximumDegree).contains(degree) else {
            throw TrainingError("degree must be between 1 and \(Self.maximumDegree), not \(degree)")
        }
        guard ridgeAlpha.isFinite, ridgeAlpha >= 0 else {
            throw TrainingError("alpha must be a finite number ≥ 0, not \(ridgeAlpha)")
        }
        self.degree = degree
        self.ridgeAlpha = ridgeAlpha
    }

    /// The model's name in the tracking run's `model` param.
    public var kind: String {
        if ridgeAlpha > 0 { return "ridge" }
        return degree == 1 ? "linear" : "polynomial"
    }

    /// The number of coefficients, the intercept included.
    public var parameterCount: Int { degree + 1 }
}

/// A fitted polynomial: `coefficients[i]` multiplies xⁱ, so `coefficients[0]` is the intercept.
public struct LineModel: Sendable, Equatable, Codable {
    public var kind: String
    public var degree: Int
    public var alpha: Double
    public var coefficients: [Double]

    public init(kind: String, degree: Int, alpha: Double, coefficients: [Double]) {
        self.kind = kind
        self.degree = degree
        self.alpha = alpha
        self.coefficients = coefficients
    }

    public var intercept: Double { coefficients.first ?? 0 }

    /// The value at `x` (Horner's rule).
    public func predict(_ x: Double) -> Double {
        coefficients.reversed().reduce(0) { $0 * x + $1 }
    }

    /// Fits `specification` to `samples` by least squares.
    /// - Throws: with fewer samples than coefficients, or samples that do not determine them.
    public static func fit(_ specification: ModelSpecification, to samples: SampleSet) throws(TrainingError) -> LineModel {
        let width = specification.parameterCount
        guard samples.count > 0 else { throw TrainingError("there are no training samples") }
        guard samples.count >= width else {
            throw TrainingError(
                "\(samples.count) training sample\(samples.count == 1 ? " is" : "s are") fewer than the model's \(width) coefficients"
            )
        }
        var solver = LeastSquares(width: width)
        var row = Array(repeating: 0.0, count: width)
        for index in 0..<samples.count {
            let x = samples.x[index]
            var power = 1.0
            for column in 0..<width {
                row[column] = power
                power *= x
            }
            solver.add(&row, target: samples.y[index])
        }
        if specification.ridgeAlpha > 0 {
            // Ridge as extra rows √α·eⱼ with target 0: the same minimum as the penalised problem,
            // and the intercept stays unpenalised.
            let weight = specification.ridgeAlpha.squareRoot()
            for column in 1..<width {
                for index in 0..<width { row[index] = index == column ? weight : 0 }
                solver.add(&row, target: 0)
            }
        }
        let coefficients = try solver.solve()
        guard coefficients.allSatisfy(\.isFinite) else {
            throw TrainingError("the fit overflowed: the samples' values are too large for a degree-\(specification.degree) polynomial")
        }
        return LineModel(kind: specification.kind, degree: specification.degree, alpha: specification.ridgeAlpha, coefficients: coefficients)
    }
}
