/// The line that samples are drawn around: y = gradient · x + intercept + Normal(0, noiseSigma).
public struct LineParameters: Sendable, Equatable {
    public var gradient: Double
    public var intercept: Double
    /// Standard deviation of the noise added to y; zero gives points exactly on the line.
    public var noiseSigma: Double

    /// The original service's line: gradient 1, intercept 0, noise sigma 0.1.
    public static let `default` = LineParameters(gradient: 1, intercept: 0, noiseSigma: 0.1)

    public init(gradient: Double, intercept: Double, noiseSigma: Double) {
        self.gradient = gradient
        self.intercept = intercept
        self.noiseSigma = noiseSigma
    }

    /// Why these parameters cannot describe a line, or `nil` when they can: every value must be
    /// finite and the noise sigma must not be negative.
    public var problem: String? {
        if !gradient.isFinite { return "gradient must be a finite number" }
        if !intercept.isFinite { return "intercept must be a finite number" }
        if !noiseSigma.isFinite { return "noise sigma must be a finite number" }
        if noiseSigma < 0 { return "noise sigma must not be negative" }
        return nil
    }
}
