import Foundation
public import JSON
import Stencil

/// Renders the Jinja-like templates in a task's settings (Stencil), as Airflow renders templated
/// fields: `{{ ds }}`, `{{ params.n }}`, `{{ dag_run.conf.commit }}`, `{{ xcom.fetch.path }}`, …
///
/// Undefined variables are errors, as with Airflow's default `StrictUndefined`. A string that is
/// one `{{ … }}` expression and nothing else takes the value's own JSON type (`"{{ params.n }}"`
/// gives the number 3), so JSON bodies keep their numbers.
public struct TemplateRenderer: Sendable {
    /// The variables templates see, as JSON.
    public let context: [String: JSONValue]

    public init(context: [String: JSONValue]) {
        self.context = context
    }

    /// Renders every string in `settings`, each setting's values quoted as `embeddings` says
    /// (``TemplateEmbedding/value`` for the settings it does not name).
    /// - Throws: ``TemplateError`` naming the setting and what is wrong.
    public func render(_ settings: [String: JSONValue], embeddings: [String: TemplateEmbedding] = [:]) throws(TemplateError) -> [String: JSONValue] {
        var rendered: [String: JSONValue] = [:]
        for (key, value) in settings { rendered[key] = try render(value, at: key, embedding: embeddings[key] ?? .value) }
        return rendered
    }

    /// Renders the strings in `value`; `path` names where it is, for errors.
    public func render(_ value: JSONValue, at path: String, embedding: TemplateEmbedding = .value) throws(TemplateError) -> JSONValue {
        switch value {
        case .string(let text):
            return try renderString(text, at: path, embedding: embedding)
        case .array(let elements):
            var result: [JSONValue] = []
            for (index, element) in elements.enumerated() { result.append(try render(element, at: "\(path)[\(index)]", embedding: embedding)) }
            return .array(result)
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members { result[key] = try render(member, at: "\(path).\(key)", embedding: embedding) }
            return .object(result)
        default:
            return value
        }
    }

    private func renderString(_ text: String, at path: String, embedding: TemplateEmbedding) throws(TemplateError) -> JSONValue {
        guard text.contains("{{") || text.contains("{%") || text.contains("{#") else { return .string(text) }
        let stencilContext = Context(dictionary: context.mapValues(Self.stencilValue))
        for expression in Self.expressions(in: text) {
            guard let variable = expression.variable else { continue }
            guard lookup(variable) == nil else { continue }
            // Not a path into the JSON context: maybe something Stencil resolves (`list.count`).
            let resolved = (try? Variable(variable).resolve(stencilContext)) ?? nil
            if resolved == nil {
                throw TemplateError(setting: path, line: expression.line, message: "'\(variable)' is undefined\(hint(for: variable))")
            }
        }
        if embedding == .value || embedding == .trusted, let single = Self.wholeExpression(text), let value = lookup(single), !Self.isString(value) {
            return value
        }
        let template = try embedding.prepare(text, setting: path)
        do {
            return .string(try Self.environment.renderTemplate(string: template, context: context.mapValues(Self.stencilValue)))
        } catch {
            let line = (error as? TemplateSyntaxError)?.token.map { Int($0.sourceMap.location.lineNumber) }
            throw TemplateError(setting: path, line: line, message: String(describing: error))
        }
    }

    /// What no template may do, whatever its setting, if anything: loop over a range (`0...n`),
    /// which Stencil builds whole in memory before the first turn, so a large bound (from a run's
    /// conf, say) would exhaust the server's memory.
    static func problem(in value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            guard text.contains("{%") else { return nil }
            let range = TemplateTokens(text).tokens.first { $0.kind == .block && $0.inner.hasPrefix("for ") && $0.inner.contains("...") }
            return range.map { "{% \($0.inner) %} loops over a range, which templates may not: loop over a list (a param or an XCom)" }
        case .array(let elements): return elements.lazy.compactMap(problem(in:)).first
        case .object(let members): return members.values.lazy.compactMap(problem(in:)).first
        default: return nil
        }
    }

    /// Stencil with the Jinja filters DAG authors reach for: `upper`, `lower`, `trim`, `tojson`.
    static var environment: Environment {
        let jinja = Extension()
        jinja.registerFilter("upper") { ($0.map { String(describing: $0) } ?? "").uppercased() }
        jinja.registerFilter("lower") { ($0.map { String(describing: $0) } ?? "").lowercased() }
        jinja.registerFilter("trim") { ($0.map { String(describing: $0) } ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        jinja.registerFilter("tojson") { value in jsonValue(value).jsonText }
        // The quoting filters TemplateEmbedding puts on values in shell commands and URLs.
        for quoting in [ShellTemplate.Quoting.bare, .doubleQuoted, .singleQuoted] {
            jinja.registerFilter(quoting.filter) { value in
                let text = stencilText(value)
                guard !text.contains("\u{0}") else { throw ValueError(message: "a value holds a NUL character, which a shell command cannot carry") }
                return quoting.quote(text)
            }
        }
        jinja.registerFilter(TemplateEmbedding.urlFilter) { value in TemplateEmbedding.encodeURLComponent(stencilText(value)) }
        return Environment(extensions: [jinja])
    }

    /// A value as Stencil prints it.
    static func stencilText(_ value: Any?) -> String {
        switch value {
        case nil: ""
        case let text as String: text
        case let value?: String(describing: value)
        }
    }

    /// A value a filter cannot write where it stands.
    struct ValueError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A value Stencil resolved, back as JSON.
    static func jsonValue(_ value: Any?) -> JSONValue {
        switch value {
        case nil, is NSNull: .null
        case let flag as Bool: .bool(flag)
        case let integer as Int: .integer(integer)
        case let number as Double: .number(JSONNumber(literal: String(number), doubleValue: number, isIntegerLiteral: false))
        case let text as String: .string(text)
        case let array as [Any]: .array(array.map(jsonValue))
        case let object as [String: Any]: .object(object.mapValues(jsonValue))
        default: .string(String(describing: value ?? ""))
        }
    }

    /// The JSON value at a dotted path (`params.n`), if there is one.
    func lookup(_ path: String) -> JSONValue? {
        var parts = path.split(separator: ".").map(String.init)
        guard !parts.isEmpty, var current = context[parts.removeFirst()] else { return nil }
        for part in parts {
            switch current {
            case .object(let members):
                guard let next = members[part] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(part), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    private func hint(for variable: String) -> String {
        let root = String(variable.split(separator: ".").first ?? "")
        if context[root] == nil {
            return "; templates can use \(context.keys.sorted().joined(separator: ", "))"
        }
        if case .object(let members)? = lookup(variable.split(separator: ".").dropLast().joined(separator: ".")) {
            return members.isEmpty ? " (it has no entries)" : "; known: \(members.keys.sorted().joined(separator: ", "))"
        }
        return ""
    }

    private static func isString(_ value: JSONValue) -> Bool {
        if case .string = value { true } else { false }
    }

    /// The `{{ … }}` expressions of a template, with their line and the variable they start with.
    static func expressions(in text: String) -> [(variable: String?, line: Int)] {
        var found: [(String?, Int)] = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let inner = rest[open.upperBound..<close.lowerBound]
            let head = inner.split(separator: "|", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let isPath = !head.isEmpty && head.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } && !(head.first?.isNumber ?? true)
            let line = text[..<open.lowerBound].count { $0 == "\n" } + 1
            found.append((isPath ? head : nil, line))
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The variable of a template that is exactly one `{{ variable }}`.
    static func wholeExpression(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.count > 4 else { return nil }
        let inner = trimmed.dropFirst(2).dropLast(2)
        guard !inner.contains("{{"), !inner.contains("}}"), !inner.contains("|") else { return nil }
        let name = inner.trimmingCharacters(in: .whitespaces)
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } ? name : nil
    }

    /// JSON as the values Stencil resolves.
    static func stencilValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number): return number.exactInteger.map { $0 as Any } ?? number.doubleValue
        case .string(let text): return text
        case .array(let elements): return elements.map(stencilValue)
        case .object(let members): return members.mapValues(stencilValue)
        }
    }
}
