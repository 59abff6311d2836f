/// A template split the way Stencil's lexer splits it: text, `{{ variable }}`, `{% block %}` and
/// `{# comment #}` tokens, in order. Used to see where each value lands before rendering (a shell
/// command, a URL) and to rewrite variables with the filter that quotes them for that place.
struct TemplateTokens {
    enum Kind: Equatable {
        case text
        case variable
        case block
        case comment
    }

    struct Token: Equatable {
        var kind: Kind
        /// The token as written, delimiters included.
        var raw: Substring
        /// The line (1-based) where the token starts.
        var line: Int

        /// A variable's or block's inside, as Stencil reads it: without delimiters (and `-`/`+`
        /// whitespace markers of blocks), lines joined by a space, trimmed.
        var inner: String {
            guard kind != .text else { return String(raw) }
            var body = raw.dropFirst(2).dropLast(2)
            if kind == .block {
                if body.first == "-" || body.first == "+" { body = body.dropFirst() }
                if body.last == "-" || body.last == "+" { body = body.dropLast() }
            }
            return body.split(separator: "\n", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: [" "]) }
                .filter { !$0.isEmpty }
                .joined(separator: " ")
        }

        /// The dotted path a variable starts with (`params.who` in `{{ params.who|upper }}`), if
        /// it starts with one.
        var variablePath: String? {
            guard kind == .variable else { return nil }
            let head = inner.split(separator: "|", maxSplits: 1).first.map { $0.trimmingCharacters(in: [" "]) } ?? ""
            guard let first = head.first, first.isLetter || first == "_",
                head.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
            else { return nil }
            return head
        }

        /// Whether the tag trims the whitespace next to it: `{%-` or `-%}` (Stencil), `{{-` or `-}}`
        /// (Jinja's, which Stencil would read as part of the variable).
        var trimsWhitespace: Bool {
            guard kind == .variable || kind == .block else { return false }
            return raw.dropFirst(2).first == "-" || raw.dropLast(2).last == "-"
        }

        /// Whether the variable is a plain path and nothing else (no filters).
        var isPlainPath: Bool {
            variablePath != nil && !inner.contains("|")
        }
    }

    let tokens: [Token]
    /// Whether a tag was opened and never closed (Stencil drops the rest of the template).
    let isUnterminated: Bool

    init(_ template: String) {
        var tokens: [Token] = []
        var unterminated = false
        let scalars = template.unicodeScalars
        var index = scalars.startIndex
        var textStart = index
        var line = 1
        var textLine = 1
        while index < scalars.endIndex {
            let next = scalars.index(after: index)
            guard scalars[index] == "{", next < scalars.endIndex, let close = Self.closers[scalars[next]] else {
                if scalars[index] == "\n" { line += 1 }
                index = next
                continue
            }
            if textStart < index {
                tokens.append(Token(kind: .text, raw: Substring(template.unicodeScalars[textStart..<index]), line: textLine))
            }
            // Stencil looks for the closing character followed by `}` from the tag's first character on.
            var end: String.UnicodeScalarView.Index?
            var scan = index
            var tagLines = 0
            while scan < scalars.endIndex {
                let after = scalars.index(after: scan)
                if scalars[scan] == "\n" { tagLines += 1 }
                if scalars[scan] == close, after < scalars.endIndex, scalars[after] == "}" {
                    end = scalars.index(after: after)
                    break
                }
                scan = after
            }
            guard let end else {
                unterminated = true
                textStart = scalars.endIndex
                index = scalars.endIndex
                break
            }
            let kind: Kind =
                switch scalars[next] {
                case "{": .variable
                case "%": .block
                default: .comment
                }
            tokens.append(Token(kind: kind, raw: Substring(template.unicodeScalars[index..<end]), line: line))
            line += tagLines
            index = end
            textStart = end
            textLine = line
        }
        if textStart < scalars.endIndex {
            tokens.append(Token(kind: .text, raw: Substring(template.unicodeScalars[textStart...]), line: textLine))
        }
        self.tokens = tokens
        isUnterminated = unterminated
    }

    /// `{` → `}`, `%` → `%`, `#` → `#`: what closes a tag opened with `{` and that character.
    private static let closers: [Unicode.Scalar: Unicode.Scalar] = ["{": "}", "%": "%", "#": "#"]

    /// Whether the text holds any tag at all.
    var hasTags: Bool { tokens.contains { $0.kind != .text } }

    /// The template again, each variable rewritten by `variable` (text, blocks and comments as written).
    func rewritingVariables(_ variable: (Token, Int) -> String) -> String {
        var result = ""
        var ordinal = 0
        for token in tokens {
            if token.kind == .variable {
                result += variable(token, ordinal)
                ordinal += 1
            } else {
                result += token.raw
            }
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
