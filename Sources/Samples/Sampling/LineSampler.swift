/// Draws noisy samples on a line: pure, and reproducible from a seed.
///
/// Each sample takes x = the next uniform in [0, 1) from xoshiro256**, then one standard normal
/// variate z from the same stream (``StandardNormal``), and gives y = gradient · x + intercept +
/// noiseSigma · z. The same seed and line therefore always give the same samples, however the
/// request for them is split into chunks.
public struct LineSampler: Sendable {
    public let line: LineParameters
    private var generator: Xoshiro256StarStar
    private var normal = StandardNormal()

    /// A sampler whose samples are determined by `seed`.
    public init(line: LineParameters, seed: UInt64) {
        self.line = line
        self.generator = Xoshiro256StarStar(seed: seed)
    }

    /// A sampler seeded from the system's secure random source.
    public init(line: LineParameters) {
        self.line = line
        self.generator = Xoshiro256StarStar()
    }

    /// The next sample (x, y).
    @inline(__always)
    public mutating func next() -> (x: Double, y: Double) {
        let x = generator.nextUnitInterval()
        let noise = normal.next(using: &generator)
        return (x, line.gradient * x + line.intercept + line.noiseSigma * noise)
    }

    /// The next `count` samples.
    public mutating func next(_ count: Int) -> [(x: Double, y: Double)] {
        (0..<count).map { _ in next() }
    }
}
