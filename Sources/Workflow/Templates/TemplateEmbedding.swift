import JSON
import RunStorage

/// How a setting takes the values its templates render: as data, quoted into a shell command,
/// encoded into a URL, or not at all from the run. Operators declare it per setting
/// (``TaskOperator/templateEmbeddings``); the DAG loader checks the templates against it, and the
/// renderer quotes every value for its place, so values from the run's conf, params, run id or
/// XComs never become code.
public enum TemplateEmbedding: Sendable, Equatable {
    /// Data: values are written as they are (a JSON body's strings, `env` values, file names); a
    /// setting that is one `{{ … }}` and nothing else keeps the value's JSON type.
    case value
    /// A shell command: each value is quoted for the place it lands in (``ShellTemplate``).
    case shell
    /// A URL: values are percent-encoded, so they stay inside one path segment or query value;
    /// `{{ var.… }}` and the DAG's own names are written as they are (a Variable may hold a base URL).
    case url
    /// What chooses the code that runs (a script, an interpreter, a repository, a shell): written in
    /// the DAG file, or a Variable (`{{ var.name }}`, which only admins set); never a value of the run.
    case trusted

    /// The template variables whose values a run cannot choose: Variables (admins set them), the
    /// DAG's and task's own names, and the run's workspace folder.
    static let trustedRoots: Set<String> = ["var", "dag", "task", "workspace"]

    /// Whether a `{{ … }}` token is a plain path into a trusted variable (`{{ var.model_repo }}`).
    static func isTrusted(_ token: TemplateTokens.Token) -> Bool {
        guard token.isPlainPath, let path = token.variablePath else { return false }
        return trustedRoots.contains(String(path.split(separator: ".").first ?? ""))
    }

    /// Where `tokens` has a `{% for %}` whose loop variable hides a trusted name, and why that
    /// cannot be (`{% for var in params.list %}` would make `{{ var }}` a value of the run).
    static func shadowing(in tokens: [TemplateTokens.Token]) -> (line: Int, message: String)? {
        for token in tokens where token.kind == .block {
            let words = token.inner.split(separator: " ")
            guard words.first == "for", let end = words.firstIndex(of: "in") else { continue }
            let names = words[1..<end].joined(separator: " ").split(separator: ",").map { $0.filter { $0 != " " } }
            if let name = names.first(where: trustedRoots.contains) {
                return (
                    token.line,
                    "{% \(token.inner) %} names its loop variable '\(name)', which would hide the trusted {{ \(name) }}: choose another name"
                )
            }
        }
        return nil
    }

    /// What is wrong with the templates of a setting written as `value`, if anything: a line of
    /// the template and what to do instead. Strings inside lists and mappings are checked too.
    func problem(in value: JSONValue, setting: String) -> String? {
        switch value {
        case .string(let text): return problem(in: text, setting: setting)
        case .array(let elements): return elements.lazy.compactMap { problem(in: $0, setting: setting) }.first
        case .object(let members):
            return members.sorted { $0.key < $1.key }.lazy.compactMap { problem(in: $0.value, setting: "\(setting).\($0.key)") }.first
        default: return nil
        }
    }

    private func problem(in template: String, setting: String) -> String? {
        let tokens = TemplateTokens(template)
        guard tokens.hasTags || tokens.isUnterminated else { return nil }
        switch self {
        case .value:
            return nil
        case .url:
            return Self.shadowing(in: tokens.tokens).map { "\(setting), line \($0.line) of the template: \($0.message)" }
        case .shell:
            do {
                _ = try ShellTemplate.quotings(of: template)
                return nil
            } catch {
                return "\(setting), line \(error.line) of the template: \(error.message). Pass the value through env instead "
                    + "(env: {VALUE: \"{{ params.name }}\"}) and write \"$VALUE\" in the command"
            }
        case .trusted:
            for token in tokens.tokens {
                switch token.kind {
                case .text, .comment: continue
                case .variable where Self.isTrusted(token): continue
                default:
                    let what = token.kind == .block ? "{% \(token.inner) %}" : "{{ \(token.inner) }}"
                    return "\(setting) chooses the code that runs, so it may only use {{ var.name }} (a Variable, which admins set) "
                        + "or the DAG's own names, not \(what): a run's conf, params, run id and XComs never choose code"
                }
            }
            return nil
        }
    }

    /// `template` ready for Stencil: each value passed through the filter that quotes it here.
    /// - Throws: ``TemplateError`` when a shell command puts a value where it cannot be quoted.
    func prepare(_ template: String, setting: String) throws(TemplateError) -> String {
        switch self {
        case .value, .trusted:
            return template
        case .shell:
            do {
                return try ShellTemplate.quoted(template)
            } catch {
                throw TemplateError(setting: setting, line: error.line, message: error.message)
            }
        case .url:
            let tokens = TemplateTokens(template)
            if let (line, message) = Self.shadowing(in: tokens.tokens) { throw TemplateError(setting: setting, line: line, message: message) }
            return tokens.rewritingVariables { token, _ in
                Self.isTrusted(token) ? String(token.raw) : "{{ \(token.inner)|\(Self.urlFilter) }}"
            }
        }
    }

    static let urlFilter = "flowline_url_component"

    /// `text` percent-encoded as one URL component: everything but letters, digits and `-._~`;
    /// `.` and `..` themselves are encoded too, so a value is never a path step.
    static func encodeURLComponent(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return PercentEncoding.encode(text)
    }
}
