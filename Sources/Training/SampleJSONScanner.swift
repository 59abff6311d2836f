import Foundation

/// One pass over samples JSON, straight into ``SampleSet``: numbers go from the bytes to `strtod`
/// without an intermediate tree or string. Values other than the samples are skipped.
struct SampleJSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The document's length.
    let end: Int
    var index = 0
    var problems = ProblemList()
    /// Skipped values nest at most this deep.
    static let depthLimit = 64

    init(bytes: UnsafeBufferPointer<UInt8>, end: Int) {
        self.bytes = bytes
        self.end = end
    }

    private var current: UInt8 { index < end ? bytes[index] : 0 }

    mutating func document() throws(TrainingError) -> SampleSet {
        skipSpace()
        var samples: SampleSet?
        switch current {
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                break
            }
            while true {
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"), "expected ':' after the key \"\(key)\"")
                skipSpace()
                if key == "samples" { samples = try sampleArray() } else { _ = try skipValue(depth: 1) }
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    continue
                }
                try expect(UInt8(ascii: "}"), "expected ',' or '}' in the top-level object")
                break
            }
        case UInt8(ascii: "["):
            samples = try sampleArray()
        default:
            throw syntax("expected an object with \"samples\" or an array of [x, y] pairs")
        }
        skipSpace()
        guard index == end else { throw syntax("unexpected text after the JSON document") }
        guard let samples else { throw TrainingError("the JSON has no \"samples\" array") }
        try problems.check(kind: "samples")
        return samples
    }

    private mutating func sampleArray() throws(TrainingError) -> SampleSet {
        guard current == UInt8(ascii: "[") else {
            let type = try skipValue(depth: 1)
            throw TrainingError("\"samples\" is \(type), not an array of [x, y] pairs")
        }
        index += 1
        skipSpace()
        var samples = SampleSet()
        // A sample takes at least 6 bytes ("[0,0],"): reserving by size avoids regrowing.
        samples.x.reserveCapacity((end - index) / 24)
        samples.y.reserveCapacity((end - index) / 24)
        if current == UInt8(ascii: "]") {
            index += 1
            return samples
        }
        var row = 0
        while true {
            try sample(row, into: &samples)
            skipSpace()
            if current == UInt8(ascii: ",") {
                index += 1
                skipSpace()
                row += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "expected ',' or ']' after samples[\(row)]")
            return samples
        }
    }

    private mutating func sample(_ row: Int, into samples: inout SampleSet) throws(TrainingError) {
        guard current == UInt8(ascii: "[") else {
            let type = try skipValue(depth: 1)
            problems.add("samples[\(row)] is \(type), not a pair [x, y]")
            return
        }
        index += 1
        skipSpace()
        var pair = (0.0, 0.0)
        var count = 0
        var problem: String?
        if current == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                let name = count == 0 ? "x" : "y"
                if let (value, literal) = try numberIfPresent() {
                    if count == 0 { pair.0 = value } else if count == 1 { pair.1 = value }
                    if !value.isFinite, count < 2, problem == nil {
                        problem = "samples[\(row)]: \(name) is \(literal), not a finite number"
                    }
                } else {
                    let type = try skipValue(depth: 2)
                    if count < 2, problem == nil { problem = "samples[\(row)]: \(name) is \(type), not a number" }
                }
                count += 1
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    continue
                }
                try expect(UInt8(ascii: "]"), "expected ',' or ']' in samples[\(row)]")
                break
            }
        }
        if count != 2 {
            problems.add("samples[\(row)] has \(count) value\(count == 1 ? "" : "s"), not a pair [x, y]")
        } else if let problem {
            problems.add(problem)
        } else {
            samples.append(x: pair.0, y: pair.1)
        }
    }

    /// A number (or Python's `NaN`, `Infinity`, `-Infinity`) at the current position, with its
    /// literal for messages; `nil` when the value there is not a number.
    private mutating func numberIfPresent() throws(TrainingError) -> (Double, String)? {
        let start = index
        let first = current
        if first == UInt8(ascii: "N") || first == UInt8(ascii: "I")
            || (first == UInt8(ascii: "-") && index + 1 < end && bytes[index + 1] == UInt8(ascii: "I"))
        {
            for special in ["NaN", "Infinity", "-Infinity"] where matches(special) {
                index += special.utf8.count
                return (special == "NaN" ? .nan : special.hasPrefix("-") ? -.infinity : .infinity, special)
            }
            return nil
        }
        guard first == UInt8(ascii: "-") || isDigit(first) else { return nil }
        let negative = first == UInt8(ascii: "-")
        if negative { index += 1 }
        guard isDigit(current) else { throw syntax("a number needs a digit after '-'") }
        // The digits as an integer mantissa while they fit, for the exact fast path.
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(current) {
                if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(current &- UInt8(ascii: "0")) } else { exponent += 1 }
                significant += 1
                index += 1
            }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard isDigit(current) else { throw syntax("a number needs a digit after '.'") }
            while isDigit(current) {
                let digit = current &- UInt8(ascii: "0")
                if significant > 0 || digit != 0 { significant += 1 }
                if significant <= 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    exponent -= 1
                }
                index += 1
            }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            var sign = 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                if current == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            guard isDigit(current) else { throw syntax("a number needs a digit in its exponent") }
            var value = 0
            while isDigit(current) {
                if value < 100_000 { value = value * 10 + Int(current &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += sign * value
        }
        // Clinger's fast path: an exact mantissa below 2^53 and a power of ten that is exact as a
        // Double make one correctly rounded operation. Anything else goes to strtod.
        let value: Double
        if significant <= 19, mantissa <= 1 << 53, (-22...22).contains(exponent) {
            let magnitude = exponent < 0 ? Double(mantissa) / Self.powersOfTen[-exponent] : Double(mantissa) * Self.powersOfTen[exponent]
            value = negative ? -magnitude : magnitude
        } else {
            value = strtod(from: start, to: index)
        }
        return (value, value.isFinite ? "" : String(decoding: bytes[start..<index], as: UTF8.self))
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    /// `strtod` of the (validated) token at `start..<stop`, copied with a terminating NUL.
    private func strtod(from start: Int, to stop: Int) -> Double {
        let length = stop - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for offset in 0..<length { buffer[offset] = CChar(bitPattern: bytes[start + offset]) }
            buffer[length] = 0
            return buffer.baseAddress.map { Foundation.strtod($0, nil) } ?? .nan
        }
    }

    /// Skips one value; returns its type in words ("a string", "null", …).
    private mutating func skipValue(depth: Int) throws(TrainingError) -> String {
        guard depth <= Self.depthLimit else { throw syntax("values nest deeper than \(Self.depthLimit) levels") }
        switch current {
        case UInt8(ascii: "\""):
            _ = try string()
            return "a string"
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let isArray = current == UInt8(ascii: "[")
            let close = isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")
            index += 1
            skipSpace()
            if current == close {
                index += 1
                return isArray ? "an array" : "an object"
            }
            while true {
                if !isArray {
                    _ = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "expected ':' after a key")
                    skipSpace()
                }
                _ = try skipValue(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    continue
                }
                guard current == close else { throw syntax("expected ',' or '\(Character(UnicodeScalar(close)))'") }
                index += 1
                return isArray ? "an array" : "an object"
            }
        default:
            for (literal, name) in [("true", "a boolean"), ("false", "a boolean"), ("null", "null")] where matches(literal) {
                index += literal.utf8.count
                return name
            }
            if try numberIfPresent() != nil { return "a number" }
            throw syntax(index >= end ? "the document ends too early" : "unexpected character '\(Character(UnicodeScalar(current)))'")
        }
    }

    /// A string at the current position (escapes kept as written; keys need no more).
    private mutating func string() throws(TrainingError) -> String {
        guard current == UInt8(ascii: "\"") else { throw syntax("expected a string") }
        index += 1
        let start = index
        while index < end, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { index += 1 }
            index += 1
        }
        guard index < end else { throw syntax("a string is not closed") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return text
    }

    private func matches(_ literal: String) -> Bool {
        var position = index
        for byte in literal.utf8 {
            guard position < end, bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }

    private mutating func expect(_ character: UInt8, _ message: @autoclosure () -> String) throws(TrainingError) {
        guard current == character else { throw syntax(message()) }
        index += 1
    }

    private mutating func skipSpace() {
        while index < end {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while isDigit(current) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A syntax error with the line and column where it was found.
    private func syntax(_ message: String) -> TrainingError {
        var line = 1
        var column = 1
        for position in 0..<min(index, end) {
            if bytes[position] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return TrainingError("not valid samples JSON at line \(line), column \(column): \(message)")
    }
}
