/// Parses MLflow's search filter grammar into a ``SearchFilter``, checking syntax only; which
/// entities, keys and comparators are allowed is checked by each resource's rules.
///
/// Grammar: `clause (AND clause)*`; `clause := identifier comparator value | identifier IS [NOT] NULL`;
/// `identifier := [entity.]key`, with a key in backticks or double quotes when it has other
/// characters than letters, digits, `_` and `.`; values are numbers, quoted strings, or for
/// `IN`/`NOT IN` a parenthesised list of quoted strings. Keywords are case-insensitive.
public enum FilterParser {
    /// The most clauses a filter may have, and the most `order_by` keys: each may join a table,
    /// and together they stay below the database's limit of 64 tables in one query.
    public static let maximumClauses = 40
    public static let maximumOrderKeys = 20
    /// The longest filter text.
    public static let maximumLength = 20_000

    /// Parses `text`; an empty or blank filter matches everything.
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE) saying what is wrong and where.
    public static func parse(_ text: String) throws(TrackingError) -> SearchFilter {
        guard text.utf8.count <= maximumLength else {
            throw .invalid("The filter is \(text.utf8.count) bytes long; a filter may have at most \(maximumLength).")
        }
        let tokens = try FilterLexer.tokens(of: text)
        var cursor = Cursor(tokens: tokens, text: text)
        var clauses: [SearchFilter.Clause] = []
        guard !tokens.isEmpty else { return .all }
        while true {
            guard clauses.count < maximumClauses else {
                throw .invalid("The filter has more than \(maximumClauses) clauses; split the search or narrow it with fewer conditions.")
            }
            clauses.append(try cursor.clause())
            guard let next = cursor.peek else { break }
            guard case .word(let word) = next.token, word.uppercased() == "AND" else {
                if case .word(let word) = next.token, word.uppercased() == "OR" {
                    throw .invalid("Invalid clause(s) in filter string: 'OR'. Only AND is supported in filter '\(text)'")
                }
                throw cursor.failure("expected AND or the end of the filter", at: next)
            }
            cursor.advance()
        }
        return SearchFilter(clauses: clauses)
    }

    /// Parses a request's `order_by` entries (at most ``maximumOrderKeys``), each with its text.
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE) for too many or a bad one.
    public static func parseOrderBy(_ texts: [String]) throws(TrackingError) -> [(text: String, identifier: SearchFilter.Identifier, ascending: Bool)]
    {
        guard texts.count <= maximumOrderKeys else {
            throw .invalid("order_by has \(texts.count) keys; at most \(maximumOrderKeys) are allowed.")
        }
        var parsed: [(text: String, identifier: SearchFilter.Identifier, ascending: Bool)] = []
        for text in texts {
            let (identifier, ascending) = try parseOrderBy(text)
            parsed.append((text, identifier, ascending))
        }
        return parsed
    }

    /// Parses one `order_by` entry: `identifier [ASC|DESC]` (ascending by default).
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE) for anything else.
    public static func parseOrderBy(_ text: String) throws(TrackingError) -> (identifier: SearchFilter.Identifier, ascending: Bool) {
        let tokens = try FilterLexer.tokens(of: text)
        var cursor = Cursor(tokens: tokens, text: text)
        guard !tokens.isEmpty else { throw .invalid("Invalid order_by clause ''. Could not be parsed.") }
        let identifier = try cursor.identifier()
        var ascending = true
        if let direction = cursor.peek {
            guard case .word(let word) = direction.token, ["ASC", "DESC"].contains(word.uppercased()) else {
                throw .invalid("Invalid ordering key in order_by clause '\(text)'.")
            }
            ascending = word.uppercased() == "ASC"
            cursor.advance()
        }
        guard cursor.peek == nil else {
            throw .invalid("Invalid order_by clause '\(text)'. Could not be parsed.")
        }
        return (identifier, ascending)
    }

    private struct Cursor {
        let tokens: [FilterLexer.Located]
        let text: String
        var index = 0

        var peek: FilterLexer.Located? { index < tokens.count ? tokens[index] : nil }

        mutating func advance() { index += 1 }

        func failure(_ message: String, at token: FilterLexer.Located?) -> TrackingError {
            let position = token.map { " at position \($0.offset)" } ?? " at the end"
            return .invalid("Invalid filter '\(text)': \(message)\(position)")
        }

        mutating func next(_ expectation: String) throws(TrackingError) -> FilterLexer.Located {
            guard let token = peek else { throw failure("expected \(expectation)", at: nil) }
            advance()
            return token
        }

        mutating func clause() throws(TrackingError) -> SearchFilter.Clause {
            let identifier = try self.identifier()
            let comparator = try self.comparator()
            let value: SearchFilter.Value
            switch comparator {
            case .isNull, .isNotNull: value = .none
            case .in, .notIn: value = try list()
            default: value = try scalar(for: identifier)
            }
            return SearchFilter.Clause(identifier, comparator, value)
        }

        mutating func identifier() throws(TrackingError) -> SearchFilter.Identifier {
            let first = try next("an identifier such as metrics.rmse or params.lr")
            switch first.token {
            case .backticked(let key), .doubleQuoted(let key):
                return .init(entity: "", key: key)
            case .word(let word) where !Self.keywords.contains(word.uppercased()):
                guard let dot = word.firstIndex(of: ".") else { return .init(entity: "", key: word) }
                let entity = String(word[..<dot])
                let rest = String(word[word.index(after: dot)...])
                if rest.isEmpty {
                    // `entity.` followed by a quoted key: metrics.`val-loss`, tags."mlflow.source.name"
                    guard let quoted = peek, !quoted.afterSpace else { throw failure("expected a key after '\(word)'", at: peek) }
                    switch quoted.token {
                    case .backticked(let key), .doubleQuoted(let key):
                        advance()
                        return .init(entity: entity, key: key)
                    default:
                        throw failure("expected a key after '\(word)'", at: quoted)
                    }
                }
                return .init(entity: entity, key: rest)
            default:
                throw failure("expected an identifier such as metrics.rmse or params.lr", at: first)
            }
        }

        static let keywords: Set<String> = ["AND", "OR", "NOT", "IS", "NULL", "LIKE", "ILIKE", "IN"]
        static let validComparators = "'!=', '<', '<=', '=', '>', '>=', 'ILIKE', 'IN', 'IS NOT NULL', 'IS NULL', 'LIKE', 'NOT IN'"

        mutating func comparator() throws(TrackingError) -> SearchFilter.Comparator {
            let token = try next("a comparator (\(Self.validComparators))")
            switch token.token {
            case .comparator(let symbol):
                guard let comparator = SearchFilter.Comparator(rawValue: symbol) else {
                    throw .invalid("Invalid comparator '\(symbol)' not one of '\(Self.validComparators)' in filter '\(text)'")
                }
                return comparator
            case .word(let word):
                switch word.uppercased() {
                case "LIKE": return .like
                case "ILIKE": return .ilike
                case "IN": return .in
                case "NOT":
                    let following = try next("IN after NOT")
                    guard case .word(let next) = following.token, next.uppercased() == "IN" else {
                        throw failure("expected IN after NOT", at: following)
                    }
                    return .notIn
                case "IS":
                    var token = try next("NULL or NOT NULL after IS")
                    var negated = false
                    if case .word(let next) = token.token, next.uppercased() == "NOT" {
                        negated = true
                        token = try self.next("NULL after IS NOT")
                    }
                    guard case .word(let null) = token.token, null.uppercased() == "NULL" else {
                        throw failure("expected NULL", at: token)
                    }
                    return negated ? .isNotNull : .isNull
                default:
                    throw .invalid("Invalid comparator '\(word)' not one of '\(Self.validComparators)' in filter '\(text)'")
                }
            default:
                throw failure("expected a comparator (\(Self.validComparators))", at: token)
            }
        }

        mutating func scalar(for identifier: SearchFilter.Identifier) throws(TrackingError) -> SearchFilter.Value {
            let token = try next("a value for \(identifier.entity.isEmpty ? "" : identifier.entity + ".")\(identifier.key)")
            switch token.token {
            case .number(let value, let literal): return .number(value, literal: literal)
            case .singleQuoted(let string), .doubleQuoted(let string): return .string(string)
            case .word(let word):
                throw .invalid("Expected a quoted string value for \(identifier.key) (e.g. 'my-value'). Got value \(word) in filter '\(text)'")
            default:
                throw failure("expected a number or a quoted string", at: token)
            }
        }

        mutating func list() throws(TrackingError) -> SearchFilter.Value {
            let open = try next("a parenthesised list such as ('a', 'b')")
            guard open.token == .openParenthesis else {
                throw .invalid(
                    "While parsing a list in the query, expected a non-empty list of string values, but got \(describe(open)) in filter '\(text)'"
                )
            }
            var values: [String] = []
            while true {
                let item = try next("a quoted string in the list")
                switch item.token {
                case .singleQuoted(let value), .doubleQuoted(let value): values.append(value)
                case .closeParenthesis where values.isEmpty:
                    throw .invalid(
                        "While parsing a list in the query, expected a non-empty list of string values, but got empty list in filter '\(text)'"
                    )
                default:
                    throw .invalid(
                        "While parsing a list in the query, expected string value, punctuation, or whitespace, but got \(describe(item)) in filter '\(text)'"
                    )
                }
                let separator = try next("',' or ')'")
                if separator.token == .closeParenthesis { return .list(values) }
                guard separator.token == .comma else { throw failure("expected ',' or ')' in the list", at: separator) }
            }
        }

        func describe(_ token: FilterLexer.Located) -> String {
            String(text.dropFirst(token.offset).prefix(20))
        }
    }
}
