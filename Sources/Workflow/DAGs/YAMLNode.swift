import Foundation
import JSON
package import Yams

/// A node of a DAG file with its position, and typed reads that fail with a message saying what
/// the field should be and where it is.
package struct YAMLNode {
    package let node: Node

    package init(node: Node) {
        self.node = node
    }

    var mark: Mark? { node.mark }

    package func problem(_ message: String) -> DAGFileError.Problem {
        DAGFileError.Problem(message, line: mark?.line, column: mark?.column)
    }

    package var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The pairs of a mapping, keys as strings; repeated keys are an error.
    package func mapping(_ what: String) throws(DAGFileError.Problem) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw problem("\(what) must be a mapping of names to values, not \(kind)") }
        var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw YAMLNode(node: key).problem("keys of \(what) must be plain names") }
            if pairs.contains(where: { $0.key == scalar.string }) {
                throw YAMLNode(node: key).problem("'\(scalar.string)' appears twice in \(what)")
            }
            pairs.append((scalar.string, YAMLNode(node: key), YAMLNode(node: value)))
        }
        return pairs
    }

    func sequence(_ what: String) throws(DAGFileError.Problem) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw problem("\(what) must be a list, not \(kind)") }
        return sequence.map { YAMLNode(node: $0) }
    }

    package func string(_ what: String) throws(DAGFileError.Problem) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw problem("\(what) must be text, not \(kind)") }
        return scalar.string
    }

    /// A list of strings, or one string meaning a list of one.
    func strings(_ what: String) throws(DAGFileError.Problem) -> [String] {
        if isNull { return [] }
        if case .scalar = node { return [try string(what)] }
        var values: [String] = []
        for element in try sequence(what) { values.append(try element.string("each item of \(what)")) }
        return values
    }

    func bool(_ what: String) throws(DAGFileError.Problem) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw problem("\(what) must be true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem("\(what) must be true or false, not '\(scalar.string)'")
        }
    }

    func integer(_ what: String, in range: ClosedRange<Int>) throws(DAGFileError.Problem) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw problem("\(what) must be a whole number")
        }
        guard range.contains(value) else { throw problem("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
        return value
    }

    func number(_ what: String) throws(DAGFileError.Problem) -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Double(scalar.string), value.isFinite else {
            throw problem("\(what) must be a number")
        }
        return value
    }

    func duration(_ what: String) throws(DAGFileError.Problem) -> Duration {
        do {
            return try DurationText.parse(try string(what))
        } catch let failure {
            throw problem("\(what): \(failure.message)")
        }
    }

    /// A date (`2026-01-01`, UTC) or date-time (`2026-01-01T06:00:00+02:00`; UTC when no offset).
    func date(_ what: String) throws(DAGFileError.Problem) -> Date {
        let text = try string(what)
        guard let date = DateText.parse(text) else {
            throw problem("\(what) '\(text)' is not a date; write 2026-01-01 or 2026-01-01T06:00:00Z")
        }
        return date
    }

    /// The node as JSON: plain scalars become numbers, booleans and null where YAML reads them so.
    func json() throws(DAGFileError.Problem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if isNull { return .null }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let integer = Int(scalar.string) { return .integer(integer) }
            if let number = Double(scalar.string), number.isFinite, scalar.string.contains(where: \.isNumber) {
                return .number(JSONNumber(literal: scalar.string, doubleValue: number, isIntegerLiteral: false))
            }
            return .string(scalar.string)
        case .mapping:
            var object: [String: JSONValue] = [:]
            for pair in try mapping("this mapping") { object[pair.key] = try pair.value.json() }
            return .object(object)
        case .sequence(let sequence):
            var array: [JSONValue] = []
            for element in sequence { array.append(try YAMLNode(node: element).json()) }
            return .array(array)
        case .alias:
            throw problem("YAML aliases (*name) are not supported in DAG files; write the value out")
        }
    }

    private var kind: String {
        switch node {
        case .scalar: isNull ? "empty" : "'\(node.scalar?.string ?? "")'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
