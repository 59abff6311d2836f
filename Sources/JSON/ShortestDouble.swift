#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shortest round-trip formatting of doubles into raw memory.
///
/// JSON bodies of thousands of numbers spend most of their time here, so callers format straight
/// into their output buffer; this is the one place to make faster (the text is exactly
/// `Double.description`, which reads back as the same double).
public enum ShortestDouble {
    /// The most bytes ``write(_:to:)`` writes for one value.
    public static let maximumLength = 32

    /// Writes the shortest text that reads back as `value` at `pointer`, which must have room for
    /// ``maximumLength`` bytes; returns the bytes written. `value` must be finite: non-finite
    /// values have no JSON form.
    @inline(__always)
    public static func write(_ value: Double, to pointer: UnsafeMutablePointer<UInt8>) -> Int {
        var text = value.description
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return 0 }
            memcpy(pointer, base, utf8.count)
            return utf8.count
        }
    }
}
