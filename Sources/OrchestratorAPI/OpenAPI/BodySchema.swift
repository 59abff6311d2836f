import Foundation
import HTTPSupport
import JSON
import OrchestratorDatabase
import Workflow

/// Checks a request body against its schema in the OpenAPI document (``OrchestratorOpenAPI``),
/// so that what the document says and what the server accepts are one rule: unknown fields,
/// missing ones, and values of the wrong type are refused with FastAPI's 422 list, as Airflow's
/// pydantic models refuse them. Rules that depend on the data (a run id's characters, a DAG's
/// params) are the handlers'.
enum BodySchema {
    /// - Throws: ``FastAPIError`` (422) naming the first field that does not fit.
    static func check(_ body: [String: JSONValue], as name: String) throws {
        let properties = OrchestratorOpenAPI.schemas[name] ?? []
        let types = Dictionary(properties, uniquingKeysWith: { first, _ in first })
        for key in body.keys.sorted() where types[key] == nil {
            throw FastAPIError.validation(
                type: "extra_forbidden",
                location: ["body", .key(key)],
                message: "Extra inputs are not permitted",
                input: body[key] ?? .null
            )
        }
        for key in OrchestratorOpenAPI.required[name] ?? [] where body[key] == nil {
            throw FastAPIError.validation(type: "missing", location: ["body", .key(key)], message: "Field required", input: .object(body))
        }
        for (key, value) in body.sorted(by: { $0.key < $1.key }) {
            guard let type = types[key], let problem = problem(value, type) else { continue }
            throw FastAPIError.validation(type: problem.type, location: ["body", .key(key)], message: problem.message, input: value)
        }
    }

    /// What is wrong with `value` for a property of `type` (the document's property language),
    /// its type first, then its bound (`string<=N`, `string>=N`, `integer>=N`).
    static func problem(_ value: JSONValue, _ type: String) -> (type: String, message: String)? {
        var base = type
        if base.hasSuffix("?") {
            if value == .null { return nil }
            base.removeLast()
        }
        var bound: (atMost: Bool, limit: Int)?
        if let range = base.range(of: "<=") ?? base.range(of: ">="), let limit = Int(base[range.upperBound...]) {
            bound = (base[range] == "<=", limit)
            base = String(base[..<range.lowerBound])
        }
        if let problem = typeProblem(value, base) { return problem }
        guard let bound else { return nil }
        switch value {
        case .string(let text):
            // Characters as Python counts them: code points.
            let count = text.unicodeScalars.count
            if bound.atMost, count > bound.limit {
                return ("string_too_long", "String should have at most \(bound.limit) character\(bound.limit == 1 ? "" : "s")")
            }
            if !bound.atMost, count < bound.limit {
                return ("string_too_short", "String should have at least \(bound.limit) character\(bound.limit == 1 ? "" : "s")")
            }
        case .number(let number):
            let number = number.doubleValue
            if bound.atMost, number > Double(bound.limit) { return ("less_than_equal", "Input should be less than or equal to \(bound.limit)") }
            if !bound.atMost, number < Double(bound.limit) {
                return ("greater_than_equal", "Input should be greater than or equal to \(bound.limit)")
            }
        default:
            break
        }
        return nil
    }

    /// What is wrong with `value` for a property of `base`, a type without bound or `?`.
    private static func typeProblem(_ value: JSONValue, _ base: String) -> (type: String, message: String)? {
        switch base {
        case "any":
            return nil
        case "boolean":
            if case .bool = value { return nil }
            return ("bool_type", "Input should be a valid boolean")
        case "string", "text", "key", "runid":
            guard case .string(let text) = value else { return ("string_type", "Input should be a valid string") }
            if base == "key" {
                if text.isEmpty { return ("string_too_short", "String should have at least 1 character") }
                if text.unicodeScalars.count > VariableRecord.maximumKeyLength {
                    return ("string_too_long", "String should have at most \(VariableRecord.maximumKeyLength) characters")
                }
                if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    return ("value_error", "Value error, the key holds a control character")
                }
            }
            if base == "text", text.utf8.contains(0) {
                return ("value_error", "Value error, the text holds a NUL character (\\u0000), which cannot be stored")
            }
            return nil
        case "int64":
            if case .number(let number) = value, let integer = number.exactInteger {
                return integer < 0 ? ("greater_than_equal", "Input should be greater than or equal to 0") : nil
            }
            return ("int_type", "Input should be a valid integer")
        case "date-time":
            guard case .string(let text) = value else { return ("datetime_type", "Input should be a valid datetime") }
            return DateText.parse(text) == nil ? ("datetime_from_date_parsing", "Input should be a valid datetime") : nil
        case "object":
            if case .object = value { return nil }
            return ("dict_type", "Input should be a valid dictionary")
        case "integer":
            if case .number(let number) = value, number.exactInteger != nil { return nil }
            return ("int_type", "Input should be a valid integer")
        case "number":
            if case .number = value { return nil }
            return ("float_type", "Input should be a valid number")
        default:
            if base.hasPrefix("(") {
                let names = base.dropFirst().dropLast().split(separator: "|").map(String.init)
                guard case .string(let text) = value, names.contains(text) else {
                    return ("enum", "Input should be " + names.map { "'\($0)'" }.joined(separator: ", "))
                }
                return nil
            }
            if base.hasPrefix("[") {
                guard case .array(let items) = value else { return ("list_type", "Input should be a valid list") }
                let element = String(base.dropFirst().dropLast())
                return items.lazy.compactMap { problem($0, element) }.first
            }
            return nil
        }
    }
}
