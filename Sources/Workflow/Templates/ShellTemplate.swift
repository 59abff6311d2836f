import Foundation

/// A template that is a shell command (a bash task's `command`): where each `{{ … }}` lands in the
/// shell's syntax, so that its value is quoted for exactly that place and can never become shell
/// code, whatever the run's conf, params, run id or XComs hold.
///
/// Values may stand outside quotes (`--count {{ params.n }}`), inside double quotes
/// (`echo "hello {{ params.who }}"`) or inside single quotes. Where no quoting is safe (``ShellLexer``
/// says where: inside `$( … )`, backticks, `${ … }`, arithmetic, `$'…'`, a comment or after a
/// here-document) or where the command would read the value as something else than data
/// (``ShellCommand`` says which: the command's name, text `eval` or `bash -c` runs again, a name
/// `declare`, `read` or `printf -v` sets, a wrapper's command line), the template is refused when
/// the DAG file loads, with the `env:` form to use instead. docs/security.md lists every place.
struct ShellTemplate {
    /// How a value is written where it lands.
    enum Quoting: Equatable {
        /// Outside quotes: the value becomes one single-quoted word part.
        case bare
        /// Inside `"…"`: `$`, `` ` ``, `"` and `\` are escaped.
        case doubleQuoted
        /// Inside `'…'`: each `'` becomes `'\''`.
        case singleQuoted

        /// The Stencil filter that quotes a value this way.
        var filter: String {
            switch self {
            case .bare: "flowline_shell_word"
            case .doubleQuoted: "flowline_shell_double"
            case .singleQuoted: "flowline_shell_single"
            }
        }

        /// `value` written so that the shell reads it back as exactly `value`, as data.
        func quote(_ value: String) -> String {
            switch self {
            case .bare:
                return ShellQuote.singleQuoted(value)
            case .singleQuoted:
                return ShellQuote.insideSingleQuotes(value)
            case .doubleQuoted:
                var result = ""
                for character in value {
                    if character == "$" || character == "`" || character == "\"" || character == "\\" { result.append("\\") }
                    result.append(character)
                }
                return result
            }
        }
    }

    /// Where a template cannot put a value, and why.
    struct Problem: Error, Equatable {
        var line: Int
        var message: String
    }

    /// The quoting of each `{{ … }}` of `template`, in order.
    /// - Throws: ``Problem`` for a value in a place that cannot be quoted, an unterminated tag, a
    ///   whitespace-trimming tag, or `{% if %}`/`{% for %}` blocks after which a value's place
    ///   depends on the run.
    static func quotings(of template: String) throws(Problem) -> [Quoting] {
        let tokens = TemplateTokens(template)
        if tokens.isUnterminated {
            throw Problem(line: tokens.tokens.last?.line ?? 1, message: "a '{{', '{%' or '{#' is never closed")
        }
        if let trimming = tokens.tokens.first(where: \.trimsWhitespace) {
            throw Problem(
                line: trimming.line,
                message: "'{{-', '-}}', '{%-' and '-%}' trim the whitespace around a tag, which cannot be used in a shell command: "
                    + "it would join or split the words around the tag after the values' quoting was chosen"
            )
        }
        if let (line, message) = TemplateEmbedding.shadowing(in: tokens.tokens) { throw Problem(line: line, message: message) }
        var walk = Walk(tokens: tokens.tokens)
        var states = [ShellLexer()]
        try walk.run(&states, until: [])
        var quotings: [Quoting] = []
        for (index, token) in tokens.tokens.enumerated() where token.kind == .variable {
            guard let quoting = walk.quotings[index] else { throw Problem(line: token.line, message: "{{ \(token.inner) }} is never reached") }
            quotings.append(quoting)
        }
        return quotings
    }

    /// `template` with every `{{ … }}` passed through the filter that quotes it where it lands.
    static func quoted(_ template: String) throws(Problem) -> String {
        let quotings = try quotings(of: template)
        return TemplateTokens(template).rewritingVariables { token, index in
            "{{ \(token.inner)|\(quotings[index].filter) }}"
        }
    }
}
