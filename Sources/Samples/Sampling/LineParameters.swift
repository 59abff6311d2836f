/// The line that samples are drawn around: y = gradient · x + intercept + Normal(0, noiseSigma).
public struct LineParameters: Sendable, Equatable {
    public var gradient: Double
    public var intercept: Double
    /// Standard deviation of the noise added to y; zero gives points exactly on the line.
    public var noiseSigma: Double

    /// The largest magnitude of each parameter: with |x| < 1 and a standard normal that never
    /// exceeds 13 in magnitude, every y then stays finite (JSON has no literal for infinity).
    public static let maximumMagnitude = 1e300

    /// The original service's line: gradient 1, intercept 0, noise sigma 0.1.
    public static let `default` = LineParameters(gradient: 1, intercept: 0, noiseSigma: 0.1)

    public init(gradient: Double, intercept: Double, noiseSigma: Double) {
        self.gradient = gradient
        self.intercept = intercept
        self.noiseSigma = noiseSigma
    }

    /// Why these parameters cannot describe a line, or `nil` when they can: every value must be
    /// finite and at most ``maximumMagnitude`` in magnitude, and the noise sigma must not be negative.
    public var problem: String? {
        for (name, value) in [("gradient", gradient), ("intercept", intercept), ("noise sigma", noiseSigma)] {
            if !value.isFinite { return "\(name) must be a finite number" }
            if abs(value) > Self.maximumMagnitude { return "\(name) must be between \(-Self.maximumMagnitude) and \(Self.maximumMagnitude)" }
        }
        if noiseSigma < 0 { return "noise sigma must not be negative" }
        return nil
    }
}
