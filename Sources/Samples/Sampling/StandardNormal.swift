#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal variates by Marsaglia's polar method, drawing uniforms from a xoshiro256** stream.
///
/// Each accepted pair (u, v) in the unit disc yields two variates, u·f and v·f with
/// f = √(−2 ln s / s), s = u² + v²; the second is kept for the next call.
public struct StandardNormal: Sendable {
    private var spare: Double?

    public init() {}

    /// The next standard normal variate.
    @inline(__always)
    public mutating func next(using generator: inout Xoshiro256StarStar) -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        while true {
            let u = 2 * generator.nextUnitInterval() - 1
            let v = 2 * generator.nextUnitInterval() - 1
            let s = u * u + v * v
            if s > 0, s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                spare = v * factor
                return u * factor
            }
        }
    }
}
