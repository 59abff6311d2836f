import Foundation

/// A template that is a shell command (a bash task's `command`): where each `{{ … }}` lands in the
/// shell's syntax, so that its value is quoted for exactly that place and can never become shell
/// code, whatever the run's conf, params, run id or XComs hold.
///
/// Values may stand outside quotes (`--count {{ params.n }}`), inside double quotes
/// (`echo "hello {{ params.who }}"`) or inside single quotes. Anywhere a value could not be quoted
/// safely — inside `$( … )`, backticks, `${ … }`, `$(( … ))`, `$'…'`, a comment, after a here-document,
/// or as text a command runs again as code (`eval`, `bash -c`, `ssh`) — the template is refused
/// when the DAG file loads, with the `env:` form to use instead.
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
                return "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
            case .singleQuoted:
                return value.replacingOccurrences(of: "'", with: #"'\''"#)
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
    /// - Throws: ``Problem`` for a value in a place that cannot be quoted, an unterminated tag, or
    ///   `{% if %}`/`{% for %}` blocks whose text would leave a value in a place that depends on the run.
    static func quotings(of template: String) throws(Problem) -> [Quoting] {
        let tokens = TemplateTokens(template)
        if tokens.isUnterminated {
            throw Problem(line: tokens.tokens.last?.line ?? 1, message: "a '{{', '{%' or '{#' is never closed")
        }
        var walk = Walk(tokens: tokens.tokens)
        var lexer = ShellLexer()
        if let (stop, line) = try walk.run(&lexer, until: []) {
            throw Problem(line: line, message: "{% \(stop) %} has no block to end")
        }
        return walk.quotings
    }

    /// Reads the tokens in order with a shell lexer. `{% if %}` branches each start where the
    /// block starts and must end in the same shell state; a `{% for %}` body must end where it
    /// started (so that any number of repeats leaves every value where the lexer saw it).
    private struct Walk {
        let tokens: [TemplateTokens.Token]
        var index = 0
        var quotings: [Quoting] = []

        init(tokens: [TemplateTokens.Token]) {
            self.tokens = tokens
        }

        /// Reads until a block tag named in `stops` (returned with its line) or the end.
        mutating func run(_ lexer: inout ShellLexer, until stops: Set<String>) throws(Problem) -> (String, Int)? {
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token.kind {
                case .text:
                    lexer.consume(token.raw)
                case .comment:
                    continue
                case .variable:
                    try value(token, &lexer)
                case .block:
                    let name = String(token.inner.split(separator: " ").first ?? "")
                    if stops.contains(name) { return (name, token.line) }
                    switch name {
                    case "if": try conditional(token, &lexer)
                    case "for": try loop(token, &lexer)
                    default:
                        throw Problem(line: token.line, message: "{% \(name) %} cannot be used in a shell command (if and for can)")
                    }
                }
            }
            return nil
        }

        private mutating func value(_ token: TemplateTokens.Token, _ lexer: inout ShellLexer) throws(Problem) {
            switch lexer.quoting {
            case .success(let quoting):
                if lexer.isCommandName, !TemplateEmbedding.isTrusted(token) {
                    throw Problem(
                        line: token.line,
                        message: "{{ \(token.inner) }} would name the command that runs; a command comes from the DAG file or a Variable ({{ var.name }}), never from the run"
                    )
                }
                quotings.append(quoting)
                lexer.wroteValue()
            case .failure(let place):
                throw Problem(line: token.line, message: "{{ \(token.inner) }} is \(place.description)")
            }
        }

        private mutating func conditional(_ token: TemplateTokens.Token, _ lexer: inout ShellLexer) throws(Problem) {
            let start = lexer
            var ends: [ShellLexer] = []
            var hasElse = false
            var stop: (String, Int)?
            repeat {
                var branch = start
                stop = try run(&branch, until: hasElse ? ["endif"] : ["elif", "else", "endif"])
                ends.append(branch)
                if stop?.0 == "else" { hasElse = true }
            } while stop?.0 == "elif" || stop?.0 == "else"
            guard stop?.0 == "endif" else { throw Problem(line: token.line, message: "{% \(token.inner) %} has no {% endif %}") }
            if !hasElse { ends.append(start) }
            lexer = try Self.merge(ends, line: token.line, what: "the branches of {% \(token.inner) %}")
        }

        private mutating func loop(_ token: TemplateTokens.Token, _ lexer: inout ShellLexer) throws(Problem) {
            let start = lexer
            var body = start
            var stop = try run(&body, until: ["empty", "endfor"])
            var ends = [start, body]
            if stop?.0 == "empty" {
                var other = start
                stop = try run(&other, until: ["endfor"])
                ends.append(other)
            }
            guard stop?.0 == "endfor" else { throw Problem(line: token.line, message: "{% \(token.inner) %} has no {% endfor %}") }
            lexer = try Self.merge(ends, line: token.line, what: "{% \(token.inner) %} repeated or not")
        }

        /// One lexer for the text after a block, if every way through it ends alike.
        private static func merge(_ ends: [ShellLexer], line: Int, what: String) throws(Problem) -> ShellLexer {
            guard var merged = ends.first else { return ShellLexer() }
            for end in ends.dropFirst() {
                guard end.summary == merged.summary else {
                    throw Problem(line: line, message: "\(what) would leave the command in different quotes or places; keep quotes balanced inside {% %} blocks")
                }
                merged.state.commandWords += end.state.commandWords
            }
            return merged
        }
    }

    /// `template` with every `{{ … }}` passed through the filter that quotes it where it lands.
    static func quoted(_ template: String) throws(Problem) -> String {
        let quotings = try quotings(of: template)
        return TemplateTokens(template).rewritingVariables { token, index in
            "{{ \(token.inner)|\(quotings[index].filter) }}"
        }
    }
}
