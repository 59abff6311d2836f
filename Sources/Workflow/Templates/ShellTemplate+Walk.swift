extension ShellTemplate {
    /// Reads the tokens in order with a shell lexer for each way the blocks so far may have gone:
    /// `{% if %}` branches each start where the block starts, a `{% for %}` body is read again from
    /// every new state it ends in until it ends in none. A value must have one quoting in all of
    /// them (so wherever the run takes the blocks, the value lands where the lexer saw it).
    struct Walk {
        let tokens: [TemplateTokens.Token]
        var index = 0
        /// The quoting of each variable, by its index in ``tokens``.
        var quotings: [Int: Quoting] = [:]

        /// The most states a block may leave, so that a body that nests ever deeper ends.
        static let stateLimit = 256

        init(tokens: [TemplateTokens.Token]) {
            self.tokens = tokens
        }

        /// Reads until a block tag named in `stops` (returned with its line) or the end.
        @discardableResult
        mutating func run(_ states: inout [ShellLexer], until stops: Set<String>) throws(Problem) -> (name: String, line: Int)? {
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token.kind {
                case .text:
                    states = Self.unique(
                        states.map { state in
                            var state = state
                            state.consume(token.raw)
                            return state
                        }
                    )
                case .comment:
                    continue
                case .variable:
                    try value(token, at: index - 1, &states)
                case .block:
                    let name = String(token.inner.split(separator: " ").first ?? "")
                    if stops.contains(name) { return (name, token.line) }
                    switch name {
                    case "if": try conditional(token, &states)
                    case "for": try loop(token, &states)
                    case "elif", "else", "endif", "empty", "endfor":
                        throw Problem(line: token.line, message: "{% \(token.inner) %} has no block to end")
                    default:
                        throw Problem(line: token.line, message: "{% \(name) %} cannot be used in a shell command (if and for can)")
                    }
                }
            }
            return nil
        }

        private mutating func value(_ token: TemplateTokens.Token, at position: Int, _ states: inout [ShellLexer]) throws(Problem) {
            let trusted = TemplateEmbedding.isTrusted(token)
            var quoting = quotings[position]
            let different = Problem(
                line: token.line,
                message:
                    "{{ \(token.inner) }} would be in different quotes or places depending on the {% %} blocks before it; keep quotes balanced inside {% %} blocks"
            )
            if Set(states.map(\.frames)).count > 1 { throw different }
            for state in states {
                switch state.quoting(trusted: trusted) {
                case .failure(let place):
                    throw Problem(line: token.line, message: "{{ \(token.inner) }} \(place.description)")
                case .success(let here):
                    if let quoting, quoting != here { throw different }
                    quoting = here
                }
            }
            quotings[position] = quoting
            states = Self.unique(
                states.map { state in
                    var state = state
                    state.wroteValue()
                    return state
                }
            )
        }

        private mutating func conditional(_ token: TemplateTokens.Token, _ states: inout [ShellLexer]) throws(Problem) {
            let start = states
            var ends: [ShellLexer] = []
            var hasElse = false
            var stop: (name: String, line: Int)?
            repeat {
                var branch = start
                stop = try run(&branch, until: hasElse ? ["endif"] : ["elif", "else", "endif"])
                ends += branch
                if stop?.name == "else" { hasElse = true }
            } while stop?.name == "elif" || stop?.name == "else"
            guard stop?.name == "endif" else { throw Problem(line: token.line, message: "{% \(token.inner) %} has no {% endif %}") }
            if !hasElse { ends += start }
            states = try Self.limited(Self.unique(ends), token)
        }

        private mutating func loop(_ token: TemplateTokens.Token, _ states: inout [ShellLexer]) throws(Problem) {
            let body = index
            var seen = Set<ShellLexer>()
            // The states after one turn or more, and those the last turn reached first.
            var repeated: [ShellLexer] = []
            var turn = states
            var stop: (name: String, line: Int)?
            repeat {
                index = body
                stop = try run(&turn, until: ["empty", "endfor"])
                turn = turn.filter { seen.insert($0).inserted }
                repeated += turn
                _ = try Self.limited(repeated, token)
            } while !turn.isEmpty
            var none = states
            if stop?.name == "empty" { stop = try run(&none, until: ["endfor"]) }
            guard stop?.name == "endfor" else { throw Problem(line: token.line, message: "{% \(token.inner) %} has no {% endfor %}") }
            states = try Self.limited(Self.unique(none + repeated), token)
        }

        private static func limited(_ states: [ShellLexer], _ token: TemplateTokens.Token) throws(Problem) -> [ShellLexer] {
            guard states.count > stateLimit else { return states }
            throw Problem(
                line: token.line,
                message:
                    "{% \(token.inner) %} would leave the command in ever more different quotes or places; keep quotes balanced inside {% %} blocks"
            )
        }

        /// `states` without repeats, in order.
        private static func unique(_ states: [ShellLexer]) -> [ShellLexer] {
            var seen = Set<ShellLexer>()
            return states.filter { seen.insert($0).inserted }
        }
    }
}
