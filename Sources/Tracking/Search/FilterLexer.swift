/// Splits an MLflow search filter into tokens.
struct FilterLexer {
    enum Token: Equatable {
        /// An unquoted word: an identifier such as `metrics.rmse`, or a keyword such as `AND`.
        case word(String)
        /// A single-quoted string.
        case singleQuoted(String)
        /// A double-quoted string: a value, or a key after `entity.`.
        case doubleQuoted(String)
        /// A backtick-quoted key.
        case backticked(String)
        case number(Double, literal: String)
        case comparator(String)
        case openParenthesis, closeParenthesis, comma
    }

    struct Located: Equatable {
        var token: Token
        /// Character offset where the token starts.
        var offset: Int
        /// Whether whitespace preceded the token (`metrics.` `\`a\`` must be adjacent).
        var afterSpace: Bool
    }

    /// The tokens of `text`.
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE) for unterminated quotes and stray characters.
    static func tokens(of text: String) throws(TrackingError) -> [Located] {
        let characters = Array(text)
        var tokens: [Located] = []
        var index = 0
        var afterSpace = true
        func fail(_ message: String) -> TrackingError {
            .invalid("Invalid filter '\(text)': \(message) at position \(index)")
        }
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
                afterSpace = true
                continue
            }
            let start = index
            let token: Token
            switch character {
            case "'", "\"", "`":
                index += 1
                var content = ""
                var closed = false
                while index < characters.count {
                    let current = characters[index]
                    if current == "\\", index + 1 < characters.count {
                        content.append(characters[index + 1])
                        index += 2
                    } else if current == character {
                        if index + 1 < characters.count, characters[index + 1] == character {
                            content.append(character)  // a doubled quote stands for itself
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        content.append(current)
                        index += 1
                    }
                }
                guard closed else {
                    index = start
                    throw fail("unterminated \(character) quote")
                }
                token =
                    switch character {
                    case "'": .singleQuoted(content)
                    case "\"": .doubleQuoted(content)
                    default: .backticked(content)
                    }
            case "(":
                index += 1
                token = .openParenthesis
            case ")":
                index += 1
                token = .closeParenthesis
            case ",":
                index += 1
                token = .comma
            case "=", "!", "<", ">":
                var symbol = String(character)
                index += 1
                while index < characters.count, "=<>!".contains(characters[index]) {
                    symbol.append(characters[index])
                    index += 1
                }
                token = .comparator(symbol)
            case "-", "+", ".", "0"..."9":
                var literal = ""
                while index < characters.count, characters[index].isNumber || ".eE+-".contains(characters[index]) {
                    // A sign is part of the number only at its start or right after an exponent.
                    if "+-".contains(characters[index]), !literal.isEmpty, !["e", "E"].contains(literal.last) { break }
                    literal.append(characters[index])
                    index += 1
                }
                guard let value = Double(literal), value.isFinite else {
                    index = start
                    throw fail("'\(literal)' is not a number")
                }
                token = .number(value, literal: literal)
            default:
                guard character.isLetter || character == "_" else { throw fail("unexpected character '\(character)'") }
                var word = ""
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || "_.".contains(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                token = .word(word)
            }
            tokens.append(Located(token: token, offset: start, afterSpace: afterSpace))
            afterSpace = false
        }
        return tokens
    }
}
