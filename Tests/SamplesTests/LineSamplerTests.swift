import Samples
import TestSupport
import Testing

@Suite("Line sampler")
struct LineSamplerTests {
    @Test("The same seed and line give the same samples")
    func seedDeterminism() {
        var first = LineSampler(line: .default, seed: 7)
        var second = LineSampler(line: .default, seed: 7)
        let a = first.next(1000)
        let b = second.next(1000)
        #expect(a.map(\.x) == b.map(\.x))
        #expect(a.map(\.y) == b.map(\.y))
    }

    @Test("Different seeds give different samples")
    func seedsDiffer() {
        var first = LineSampler(line: .default, seed: 1)
        var second = LineSampler(line: .default, seed: 2)
        #expect(first.next(10).map(\.x) != second.next(10).map(\.x))
    }

    @Test("Unseeded samplers differ from each other")
    func unseededDiffer() {
        var first = LineSampler(line: .default)
        var second = LineSampler(line: .default)
        #expect(first.next(10).map(\.x) != second.next(10).map(\.x))
    }

    @Test("The generator is pinned: seed 42 gives these samples in every version")
    func pinnedStream() {
        var generator = Xoshiro256StarStar(seed: 42)
        // SplitMix64(42) then xoshiro256**, as computed by an independent Python implementation
        // (Tests/clients/test_samples_service.py reimplements the whole documented sampler).
        let words = (0..<3).map { _ in generator.next() }
        #expect(words == Self.pinnedWords)
    }

    static let pinnedWords: [UInt64] = [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1]

    @Test("Drawing in chunks gives the same samples as drawing at once")
    func chunkingInvariance() {
        var whole = LineSampler(line: .default, seed: 99)
        var pieces = LineSampler(line: .default, seed: 99)
        let all = whole.next(500)
        let chunked = pieces.next(123) + pieces.next(377)
        #expect(all.map(\.y) == chunked.map(\.y))
    }

    @Test("x is uniform in [0, 1)")
    func xRange() {
        var sampler = LineSampler(line: .default, seed: 3)
        let xs = sampler.next(100_000).map(\.x)
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(mean - 0.5) < 0.005)
        let belowTenth = Double(xs.filter { $0 < 0.1 }.count) / Double(xs.count)
        #expect(abs(belowTenth - 0.1) < 0.005)
    }

    @Test("Zero noise puts every sample on the line")
    func noNoise() {
        let line = LineParameters(gradient: -1, intercept: 100, noiseSigma: 0)
        var sampler = LineSampler(line: line, seed: 5)
        for sample in sampler.next(1000) {
            #expect(sample.y == -sample.x + 100)
        }
    }

    @Test(
        "100k samples fit the line, with residuals of deviation noise_sigma",
        arguments: [
            LineParameters(gradient: 1, intercept: 0, noiseSigma: 0.1),
            LineParameters(gradient: -3.5, intercept: 12, noiseSigma: 2),
            LineParameters(gradient: 0, intercept: -1, noiseSigma: 0.01),
        ]
    )
    func statistics(line: LineParameters) {
        var sampler = LineSampler(line: line, seed: 2024)
        let fit = fitLine(sampler.next(100_000))
        // The slope's standard error is about sigma * sqrt(12 / n) ≈ 0.011 * sigma; allow 5 of them.
        #expect(abs(fit.slope - line.gradient) < 0.06 * line.noiseSigma)
        #expect(abs(fit.intercept - line.intercept) < 0.03 * line.noiseSigma)
        #expect(abs(fit.residualDeviation - line.noiseSigma) < 0.01 * line.noiseSigma)
    }

    @Test("The normal variates have mean 0, deviation 1 and normal tails")
    func normalShape() {
        var generator = Xoshiro256StarStar(seed: 11)
        var normal = StandardNormal()
        let values = (0..<200_000).map { _ in normal.next(using: &generator) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.015)
        let beyondTwo = Double(values.filter { abs($0) > 2 }.count) / Double(values.count)
        #expect(abs(beyondTwo - 0.0455) < 0.003)
    }

    @Test(
        "Invalid lines are named",
        arguments: [
            (LineParameters(gradient: .nan, intercept: 0, noiseSigma: 0), "gradient"),
            (LineParameters(gradient: 0, intercept: .infinity, noiseSigma: 0), "intercept"),
            (LineParameters(gradient: 0, intercept: 0, noiseSigma: -1), "negative"),
            (LineParameters(gradient: 0, intercept: 0, noiseSigma: .infinity), "noise sigma"),
            (
                LineParameters(gradient: 0, intercept: -2e300, noiseSigma: 0),
                "intercept must be between \(-LineParameters.maximumMagnitude) and \(LineParameters.maximumMagnitude)"
            ),
        ]
    )
    func problems(line: LineParameters, mention: String) {
        #expect(line.problem?.contains(mention) == true)
        #expect(LineParameters.default.problem == nil)
    }
}
