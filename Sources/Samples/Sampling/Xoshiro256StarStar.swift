/// The xoshiro256** pseudo-random generator (Blackman and Vigna, 2018), seeded through SplitMix64.
///
/// Chosen because it is fast, has a 2^256 − 1 period, passes BigCrush, and is fully specified, so the
/// samples of a given seed are the same on every machine and in every later version of Flowline.
/// Seeding: the four state words are the first four outputs of SplitMix64 started at `seed`.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole output is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    /// A generator seeded from the system's secure random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// A uniform double in [0, 1): the top 53 bits of the next output, times 2⁻⁵³.
    @inline(__always)
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
