/// A parsed JSON document, kept close to the text it came from.
///
/// Numbers keep their literal so that callers can tell `3` from `3.0` and decide how strictly to
/// convert them (an integer field may accept `3.0` but not `3.5`). Objects keep the last value of a
/// repeated key, as Python's `json` module does.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The name of this value's JSON type, for error messages ("object", "array", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON number literal and its value as a `Double`.
///
/// `NaN`, `Infinity` and `-Infinity` are accepted as literals (Python's `json` accepts them), and
/// literals too large for a `Double` become infinite, so that validation can reject non-finite input
/// with a clear message instead of a parse error.
public struct JSONNumber: Sendable, Equatable {
    /// The literal as written in the document.
    public var literal: String
    /// The literal's value.
    public var doubleValue: Double
    /// Whether the literal was written without a fraction or exponent.
    public var isIntegerLiteral: Bool

    public init(literal: String, doubleValue: Double, isIntegerLiteral: Bool) {
        self.literal = literal
        self.doubleValue = doubleValue
        self.isIntegerLiteral = isIntegerLiteral
    }

    /// The value as an exact integer: `nil` when it has a fractional part, is not finite or does not
    /// fit in 64 bits.
    public var exactInteger: Int? {
        if isIntegerLiteral, let value = Int(literal) { return value }
        guard doubleValue.isFinite, doubleValue.rounded(.towardZero) == doubleValue else { return nil }
        return Int(exactly: doubleValue)
    }
}

extension JSONValue {
    /// An integer as a JSON number.
    public static func integer<I: BinaryInteger>(_ value: I) -> JSONValue {
        .number(JSONNumber(literal: String(value), doubleValue: Double(value), isIntegerLiteral: true))
    }

    /// A double as a JSON number; NaN and infinities, which JSON cannot write as numbers, as the
    /// strings `"NaN"`, `"Infinity"` and `"-Infinity"` (proto3 JSON, as MLflow sends them).
    public static func double(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number(JSONNumber(literal: value.description, doubleValue: value, isIntegerLiteral: false))
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A string literal as a JSON string: `["body", "logical_date"]` as an error location.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}
