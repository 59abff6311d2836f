import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorDatabase
import Workflow

/// Query parameters as Airflow reads them.
enum APIQuery {
    /// A query parameter that must be one of `names`, if given.
    /// - Throws: 422 in FastAPI's shape for another value.
    static func oneOf(_ query: Parameters, _ name: String, _ names: [String]) throws -> String? {
        guard let text = query.get(name) else { return nil }
        guard names.contains(String(text)) else {
            throw FastAPIError.validation(
                type: "enum",
                location: ["query", .key(name)],
                message: "Input should be " + names.map { "'\($0)'" }.joined(separator: " or "),
                input: .string(String(text))
            )
        }
        return String(text)
    }

    /// A `*_pattern` filter (``LikePattern``); `nil` when absent or `~` (everything).
    /// - Throws: 422 in FastAPI's shape when it is longer than ``LikePattern/maximumLength``.
    static func pattern(_ query: Parameters, _ name: String) throws -> LikePattern? {
        guard let text = query.get(name), text != "~" else { return nil }
        guard let pattern = LikePattern(text) else {
            throw FastAPIError.validation(
                type: "string_too_long",
                location: ["query", .key(name)],
                message: "String should have at most \(LikePattern.maximumLength) characters",
                input: .string(text),
                context: ["max_length": .integer(LikePattern.maximumLength)]
            )
        }
        return pattern
    }

    static func bool(_ query: Parameters, _ name: String) throws -> Bool? {
        guard let text = query.get(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw FastAPIError.validation(
                type: "bool_parsing",
                location: ["query", .key(name)],
                message: "Input should be a valid boolean, unable to interpret input",
                input: .string(text)
            )
        }
    }

    /// Sorts by the `order_by` keys (a `-` prefix for descending), refusing unknown keys.
    static func ordered<T>(_ items: [T], query: Parameters, keys: [String: (T) -> String], default key: String) throws -> [T] {
        let orders = query.getAll("order_by").isEmpty ? [key] : query.getAll("order_by")
        var comparators: [(T, T) -> Bool?] = []
        for order in orders {
            let descending = order.hasPrefix("-")
            let name = descending ? String(order.dropFirst()) : order
            guard let field = keys[name] else {
                throw OrchestratorError.invalid("Ordering with '\(name)' is disallowed or the attribute does not exist on the model")
            }
            comparators.append { a, b in
                let (x, y) = (field(a), field(b))
                return x == y ? nil : (descending ? x > y : x < y)
            }
        }
        return items.sorted { a, b in
            for comparator in comparators {
                if let result = comparator(a, b) { return result }
            }
            return false
        }
    }
}
