import HTTPSupport
import JSON

/// The body of `POST /get-samples`: how many samples, and optionally a seed.
public struct GetSamplesRequest: Sendable, Equatable {
    public var count: Int
    public var seed: UInt64?

    public init(count: Int = 1, seed: UInt64? = nil) {
        self.count = count
        self.seed = seed
    }
}

/// Turns JSON request bodies into requests, or into the FastAPI validation issues a client of the
/// original service would get.
///
/// Coercion follows pydantic's lax mode where it helps: a number-like string such as `"5"` is
/// accepted (a templated body often produces one) and `2.0` is a valid integer; booleans are not
/// numbers here. Non-finite numbers are rejected, as are values outside the documented bounds.
struct RequestDecoder {
    var issues: [ValidationIssue] = []
    let body: [String: JSONValue]

    /// Parses `bytes` as a JSON object.
    /// - Throws: ``FastAPIError`` (422) when the body is not JSON or not an object.
    static func object(from bytes: [UInt8], emptyMeans empty: [String: JSONValue]?) throws(FastAPIError) -> [String: JSONValue] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if let empty { return empty }
            throw .invalid([ValidationIssue(location: [.key("body")], type: "missing", message: "Field required", input: .null)])
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .invalid([
                ValidationIssue(
                    location: [.key("body"), .offset(error.offset)],
                    type: "json_invalid",
                    message: "JSON decode error",
                    input: .object([:]),
                    context: ["error": .string(error.message)]
                )
            ])
        }
        guard case .object(let members) = value else {
            throw .invalid([
                ValidationIssue(
                    location: [.key("body")],
                    type: "model_attributes_type",
                    message: "Input should be a valid dictionary or object to extract fields from",
                    input: value
                )
            ])
        }
        return members
    }

    init(body: [String: JSONValue]) {
        self.body = body
    }

    /// Throws the collected issues, if any.
    func finish() throws(FastAPIError) {
        if !issues.isEmpty { throw .invalid(issues) }
    }

    private mutating func report(_ field: String, _ type: String, _ message: String, _ input: JSONValue, context: [String: JSONValue] = [:]) {
        issues.append(ValidationIssue(location: [.key("body"), .key(field)], type: type, message: message, input: input, context: context))
    }

    /// The value of `field` when present, else a `missing` issue (or `nil` when `optional`).
    private mutating func value(_ field: String, optional: Bool) -> JSONValue? {
        if let value = body[field] { return value }
        if !optional { report(field, "missing", "Field required", .object(body)) }
        return nil
    }

    /// An integer field within `range`; `nil` (and an issue) when absent or invalid.
    mutating func integer(_ field: String, in range: ClosedRange<Int>, optional: Bool = false) -> Int? {
        guard let input = value(field, optional: optional) else { return nil }
        let number: JSONNumber
        switch input {
        case .number(let parsed):
            number = parsed
        case .string(let text):
            let trimmed = text.trimmingWhitespace()
            guard let parsed = Int(trimmed) else {
                report(field, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", input)
                return nil
            }
            number = JSONNumber(literal: String(parsed), doubleValue: Double(parsed), isIntegerLiteral: true)
        default:
            report(field, "int_type", "Input should be a valid integer", input)
            return nil
        }
        guard number.doubleValue.isFinite else {
            report(field, "finite_number", "Input should be a finite number", input)
            return nil
        }
        guard number.doubleValue.rounded(.towardZero) == number.doubleValue else {
            report(field, "int_from_float", "Input should be a valid integer, got a number with a fractional part", input)
            return nil
        }
        guard let value = number.exactInteger else {
            // An integral value beyond 64 bits is certainly out of range, on the side of its sign.
            if number.doubleValue < 0 { reportBelow(range, field: field, input: input) } else { reportAbove(range, field: field, input: input) }
            return nil
        }
        return checked(value, in: range, field: field, input: input)
    }

    /// `value` when `range` holds it, else `nil` and an issue.
    private mutating func checked(_ value: Int, in range: ClosedRange<Int>, field: String, input: JSONValue) -> Int? {
        if value < range.lowerBound {
            reportBelow(range, field: field, input: input)
            return nil
        }
        if value > range.upperBound {
            reportAbove(range, field: field, input: input)
            return nil
        }
        return value
    }

    private mutating func reportBelow(_ range: ClosedRange<Int>, field: String, input: JSONValue) {
        report(
            field,
            "greater_than_equal",
            "Input should be greater than or equal to \(range.lowerBound)",
            input,
            context: ["ge": .integer(range.lowerBound)]
        )
    }

    private mutating func reportAbove(_ range: ClosedRange<Int>, field: String, input: JSONValue) {
        report(
            field,
            "less_than_equal",
            "Input should be less than or equal to \(range.upperBound)",
            input,
            context: ["le": .integer(range.upperBound)]
        )
    }

    /// A finite number field of a line, at least `minimum` when given and never beyond
    /// ``LineParameters/maximumMagnitude``; `nil` (and an issue) when invalid.
    mutating func finiteNumber(_ field: String, minimum: Double? = nil) -> Double? {
        guard let input = value(field, optional: false) else { return nil }
        let number: Double
        switch input {
        case .number(let parsed):
            number = parsed.doubleValue
        case .string(let text):
            guard let parsed = Double(text.trimmingWhitespace()) else {
                report(field, "float_parsing", "Input should be a valid number, unable to parse string as a number", input)
                return nil
            }
            number = parsed
        default:
            report(field, "float_type", "Input should be a valid number", input)
            return nil
        }
        guard number.isFinite else {
            report(field, "finite_number", "Input should be a finite number", input)
            return nil
        }
        let lower = minimum ?? -LineParameters.maximumMagnitude
        let upper = LineParameters.maximumMagnitude
        if number < lower {
            report(
                field,
                "greater_than_equal",
                "Input should be greater than or equal to \(lower)",
                input,
                context: ["ge": .number(.init(literal: "\(lower)", doubleValue: lower, isIntegerLiteral: false))]
            )
            return nil
        }
        if number > upper {
            report(
                field,
                "less_than_equal",
                "Input should be less than or equal to \(upper)",
                input,
                context: ["le": .number(.init(literal: "\(upper)", doubleValue: upper, isIntegerLiteral: false))]
            )
            return nil
        }
        return number
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}

extension GetSamplesRequest {
    /// Decodes and validates a `POST /get-samples` body; an empty body means `{}`.
    /// - Throws: ``FastAPIError`` (422) listing every problem.
    static func decode(_ bytes: [UInt8], maximumCount: Int) throws(FastAPIError) -> GetSamplesRequest {
        var decoder = RequestDecoder(body: try RequestDecoder.object(from: bytes, emptyMeans: [:]))
        let count = decoder.integer("n_samples", in: 0...maximumCount, optional: true)
        let seed = decoder.integer("seed", in: 0...Int.max, optional: true)
        try decoder.finish()
        return GetSamplesRequest(count: count ?? 1, seed: seed.map { UInt64($0) })
    }
}

extension LineParameters {
    /// Decodes and validates a `PUT /put-line-params` body: all three fields are required.
    /// - Throws: ``FastAPIError`` (422) listing every problem.
    static func decode(_ bytes: [UInt8]) throws(FastAPIError) -> LineParameters {
        var decoder = RequestDecoder(body: try RequestDecoder.object(from: bytes, emptyMeans: nil))
        let gradient = decoder.finiteNumber("gradient")
        let intercept = decoder.finiteNumber("intercept")
        let noiseSigma = decoder.finiteNumber("noise_sigma", minimum: 0)
        try decoder.finish()
        guard let gradient, let intercept, let noiseSigma else { throw .invalid(decoder.issues) }
        return LineParameters(gradient: gradient, intercept: intercept, noiseSigma: noiseSigma)
    }
}
