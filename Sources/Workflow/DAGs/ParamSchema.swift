import Foundation
public import JSON

/// The JSON Schema subset that DAG params use (as Airflow's `Param`): `type` (one or a list),
/// `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`,
/// `maxLength`, `pattern`, `minItems`, `maxItems`, `format` (kept for forms, not checked).
public struct ParamSchema: Sendable, Equatable {
    /// The keywords a param may carry besides `default`, `description` and `title`.
    public static let keywords: Set<String> = [
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "format", "examples", "section", "values_display",
    ]
    public static let types: Set<String> = ["string", "integer", "number", "boolean", "object", "array", "null"]

    /// The schema's keywords as written.
    public var keywords: [String: JSONValue]

    public init(_ keywords: [String: JSONValue]) {
        self.keywords = keywords
    }

    /// The allowed types, empty for any.
    public var allowedTypes: [String] {
        switch keywords["type"] {
        case .string(let name)?: [name]
        case .array(let names)?: names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: []
        }
    }

    /// Why `value` does not fit, or `nil` when it does.
    public func check(_ value: JSONValue) -> String? {
        let types = allowedTypes
        if !types.isEmpty, !types.contains(where: { Self.value(value, isOfType: $0) }) {
            return "\(Self.describe(value)) is not of type \(types.map { "'\($0)'" }.joined(separator: " or "))"
        }
        if case .array(let options)? = keywords["enum"], !options.contains(value) {
            return "\(Self.describe(value)) is not one of \(options.map(Self.describe).joined(separator: ", "))"
        }
        if let constant = keywords["const"], constant != value {
            return "\(Self.describe(value)) is not \(Self.describe(constant))"
        }
        if case .number(let given) = value {
            let x = given.doubleValue
            if let bound = number(of: "minimum"), x < bound { return "\(given.literal) is less than the minimum of \(format(bound))" }
            if let bound = number(of: "maximum"), x > bound { return "\(given.literal) is greater than the maximum of \(format(bound))" }
            if let bound = number(of: "exclusiveMinimum"), x <= bound {
                return "\(given.literal) is less than or equal to the minimum of \(format(bound))"
            }
            if let bound = number(of: "exclusiveMaximum"), x >= bound {
                return "\(given.literal) is greater than or equal to the maximum of \(format(bound))"
            }
        }
        if case .string(let text) = value {
            if let bound = number(of: "minLength"), Double(text.count) < bound { return "'\(text)' is shorter than \(format(bound)) characters" }
            if let bound = number(of: "maxLength"), Double(text.count) > bound { return "'\(text)' is longer than \(format(bound)) characters" }
            if case .string(let pattern)? = keywords["pattern"] {
                guard let expression = try? NSRegularExpression(pattern: pattern) else {
                    return "the pattern '\(pattern)' is not a valid regular expression"
                }
                if expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    return "'\(text)' does not match '\(pattern)'"
                }
            }
        }
        if case .array(let items) = value {
            if let bound = number(of: "minItems"), Double(items.count) < bound { return "the list has fewer than \(format(bound)) items" }
            if let bound = number(of: "maxItems"), Double(items.count) > bound { return "the list has more than \(format(bound)) items" }
        }
        return nil
    }

    /// Problems with the schema itself (unknown type names, non-numeric bounds), for the loader.
    public func problems() -> [String] {
        var problems: [String] = []
        for name in allowedTypes where !Self.types.contains(name) {
            problems.append("unknown type '\(name)'; use one of \(Self.types.sorted().joined(separator: ", "))")
        }
        for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems"] {
            if let bound = keywords[key], case .number = bound {
            } else if keywords[key] != nil {
                problems.append("'\(key)' must be a number")
            }
        }
        if case .string(let pattern)? = keywords["pattern"], (try? NSRegularExpression(pattern: pattern)) == nil {
            problems.append("'pattern' is not a valid regular expression: \(pattern)")
        }
        return problems
    }

    private func number(of key: String) -> Double? {
        if case .number(let number)? = keywords[key] { number.doubleValue } else { nil }
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func value(_ value: JSONValue, isOfType type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null), ("number", .number): true
        case ("integer", .number(let number)): number.exactInteger != nil
        default: false
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .number(let number): number.literal
        default: value.jsonText
        }
    }
}
