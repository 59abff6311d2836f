import FuzzDriver
import JSON

/// Any bytes as a JSON document: `JSONParser.parse` must answer with a value or a
/// `JSONParseError`, never crash; and a parsed value written back as `jsonText` must parse again
/// to the same value.
///
/// The one documented difference is allowed: JSON has no literal for non-finite numbers, so
/// `NaN`, `Infinity`, `-Infinity` (and literals too large for a Double, which parse as infinite)
/// are written as the strings "NaN", "Infinity", "-Infinity" (see `ByteBuffer.writeJSONNumber`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let text = value.jsonText
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(Array(text.utf8))
    } catch {
        fatalError("jsonText of a parsed value does not parse: \(error) at \(error.offset) in \(text.debugDescription)")
    }
    guard roundTripEqual(value, reparsed) else {
        fatalError("round trip changed the value:\n  parsed:   \(value)\n  written:  \(text.debugDescription)\n  reparsed: \(reparsed)")
    }
    // Writing is deterministic: the reparsed value writes the same text.
    guard reparsed.jsonText == text else {
        fatalError("jsonText is not stable: \(text.debugDescription) then \(reparsed.jsonText.debugDescription)")
    }
    return 0
}

/// `==`, except that a non-finite number may come back as its string.
func roundTripEqual(_ original: JSONValue, _ reparsed: JSONValue) -> Bool {
    switch (original, reparsed) {
    case (.number(let number), .string(let string)) where !number.doubleValue.isFinite:
        return string == (number.doubleValue.isNaN ? "NaN" : number.doubleValue < 0 ? "-Infinity" : "Infinity")
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy(roundTripEqual)
    case (.object(let a), .object(let b)):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { roundTripEqual(value, $0) } ?? false }
    default:
        return original == reparsed
    }
}

/// The executable's main, as SwiftPM links it (see FuzzDriver.h): libFuzzer on fuzzJSON.
@_cdecl("fuzz_json_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    flowline_fuzz_main(argc, argv, fuzzJSON)
}
