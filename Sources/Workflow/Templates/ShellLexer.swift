/// Just enough of bash's grammar to know, at any point of a command, whether the shell is reading
/// plain words, a quoted string, or something a value must not enter, and what the command whose
/// words it reads does with them (``ShellCommand``).
struct ShellLexer: Hashable {
    enum Frame: Hashable {
        /// Plain words; `cases` counts the open `case … esac`, whose patterns end with a `)` that
        /// closes nothing.
        case words(Words, cases: Int)
        case doubleQuoted
        case singleQuoted
        case backticks
        case ansiC
        case parameter(braces: Int)
        /// `$(( … ))` (an `expansion`, part of a word) or the command `(( … ))`.
        case arithmetic(parentheses: Int, expansion: Bool)
        case comment
    }

    /// Where plain words are read.
    enum Words: Hashable {
        case top
        /// `( … )`: a command of its own.
        case subshell
        /// `$( … )`: a command whose output is part of a word.
        case substitution
        /// `<( … )` or `>( … )`: a command whose pipe's name is part of a word.
        case processSubstitution
        /// `NAME=( … )`: an array's elements.
        case array
    }

    /// Characters just read whose meaning depends on the next.
    struct Pending: Hashable {
        /// A `\`.
        var escaped = false
        /// A `$`.
        var dollar = false
        /// A `<` read in plain words: a second starts a here-document.
        var lessThan = false
        /// The `(` of `$(` or of `(`: a second makes arithmetic.
        var parenthesis = false
    }

    /// Innermost last; the first is always the top level's words.
    private(set) var frames: [Frame] = [.words(.top, cases: 0)]
    private var pending = Pending()
    private var atWordStart = true
    private var afterHereDocument = false
    private var command = ShellCommand()
    /// The commands around the `( … )`, `$( … )` or `NAME=( … )` being read, innermost last.
    private var outerCommands: [ShellCommand] = []

    /// How a value would be quoted here, or why it cannot go here; `trusted` for a Variable or the
    /// DAG's own names, which may name a command.
    func quoting(trusted: Bool) -> Result<ShellTemplate.Quoting, Place> {
        if afterHereDocument { return .failure(.hereDocument) }
        if pending.escaped || pending.dollar { return .failure(.adjacent) }
        if frames.contains(where: \.isSubstitution) {
            return .failure(.nested("a command substitution $( … )"))
        }
        for frame in frames.dropLast() {
            guard case .words = frame else { return .failure(.nested("nested quotes")) }
        }
        let quoting: ShellTemplate.Quoting
        switch frames[frames.count - 1] {
        case .words: quoting = .bare
        case .doubleQuoted: quoting = .doubleQuoted
        case .singleQuoted: quoting = .singleQuoted
        case .backticks: return .failure(.nested("backticks"))
        case .ansiC: return .failure(.nested("$'…' quotes"))
        case .parameter: return .failure(.nested("a parameter expansion ${ … }"))
        case .arithmetic: return .failure(.nested("arithmetic (( … )) or $(( … ))"))
        case .comment: return .failure(.nested("a comment"))
        }
        // An array's elements are the arguments of the command around it (`declare -a a=( … )`).
        let place =
            wordsKind == .array ? outerCommands.last?.problem(trusted: trusted) ?? command.elementProblem() : command.problem(trusted: trusted)
        if let place { return .failure(place) }
        return .success(quoting)
    }

    /// A value was written here: a part of the current word only known when the command runs.
    mutating func wroteValue() {
        startWord()
        command.appendDynamic()
    }

    mutating func consume(_ text: Substring) {
        for character in text.unicodeScalars { consume(character) }
    }

    private mutating func consume(_ character: Unicode.Scalar) {
        if pending.parenthesis {
            pending.parenthesis = false
            if character == "(" {
                // `$((` or `((`: the frame just opened becomes arithmetic.
                let expansion = wordsKind == .substitution
                pop()
                frames.append(.arithmetic(parentheses: 2, expansion: expansion))
                return
            }
        }
        if pending.dollar {
            pending.dollar = false
            switch character {
            case "(":
                push(.substitution)
                pending.parenthesis = true
                return
            case "{":
                command.appendDynamic()
                frames.append(.parameter(braces: 1))
                return
            case "'" where isWords:
                command.markQuoted()
                frames.append(.ansiC)
                return
            case "_", "@", "*", "#", "?", "$", "!", "-":
                command.appendDynamic()
            default:
                if character.properties.isAlphabetic || ("0"..."9").contains(character) { command.appendDynamic() } else { command.append("$") }
            }
        }
        switch frames[frames.count - 1] {
        case .words(let kind, let cases):
            words(character, kind: kind, cases: cases)
        case .doubleQuoted:
            if pending.escaped {
                pending.escaped = false
                command.append(character)
                return
            }
            switch character {
            case "\\": pending.escaped = true
            case "\"": pop()
            case "`":
                command.appendDynamic()
                frames.append(.backticks)
            case "$": pending.dollar = true
            default: command.append(character)
            }
        case .singleQuoted:
            if character == "'" { pop() } else { command.append(character) }
        case .backticks:
            if pending.escaped {
                pending.escaped = false
                return
            }
            if character == "\\" { pending.escaped = true } else if character == "`" { pop() }
        case .ansiC:
            if pending.escaped {
                pending.escaped = false
                command.appendDynamic()
                return
            }
            if character == "\\" { pending.escaped = true } else if character == "'" { pop() } else { command.append(character) }
        case .parameter(let braces):
            if pending.escaped {
                pending.escaped = false
                return
            }
            switch character {
            case "\\": pending.escaped = true
            case "{": replaceTop(.parameter(braces: braces + 1))
            case "}": if braces == 1 { pop() } else { replaceTop(.parameter(braces: braces - 1)) }
            case "\"": frames.append(.doubleQuoted)
            case "'": frames.append(.singleQuoted)
            case "`": frames.append(.backticks)
            case "$": pending.dollar = true
            default: break
            }
        case .arithmetic(let parentheses, let expansion):
            switch character {
            case "(": replaceTop(.arithmetic(parentheses: parentheses + 1, expansion: expansion))
            case ")": if parentheses <= 1 { pop() } else { replaceTop(.arithmetic(parentheses: parentheses - 1, expansion: expansion)) }
            case "$": pending.dollar = true
            default: break
            }
        case .comment:
            if character == "\n" {
                pop()
                endWord(commandEnds: true)
            }
        }
    }

    private var isWords: Bool {
        if case .words = frames[frames.count - 1] { true } else { false }
    }

    /// The kind of the innermost plain words.
    private var wordsKind: Words {
        for case .words(let kind, _) in frames.reversed() { return kind }
        return .top
    }

    private mutating func words(_ character: Unicode.Scalar, kind: Words, cases: Int) {
        let wasLessThan = pending.lessThan
        pending.lessThan = false
        if pending.escaped {
            pending.escaped = false
            if character != "\n" { command.append(character) }
            return
        }
        switch character {
        case "\\":
            pending.escaped = true
            command.markQuoted()
            startWord()
        case "'":
            command.markQuoted()
            frames.append(.singleQuoted)
            startWord()
        case "\"":
            command.markQuoted()
            frames.append(.doubleQuoted)
            startWord()
        case "`":
            command.appendDynamic()
            frames.append(.backticks)
            startWord()
        case "$":
            pending.dollar = true
            startWord()
        case "#" where atWordStart:
            frames.append(.comment)
        case "<", ">":
            if command.redirection == .operator {
                // `>>`, `<>`, `<<` (a here-document, whose lines this lexer does not follow).
                if character == "<", wasLessThan { afterHereDocument = true }
                return
            }
            if command.isDescriptor { command.dropWord() } else { endWord(commandEnds: false) }
            command.redirection = .operator
            pending.lessThan = character == "<"
            atWordStart = true
        case "&" where command.redirection == .operator, "|" where command.redirection == .operator:
            // `>&`, `<&`, `>|`.
            return
        case "(":
            if command.redirection == .operator {
                command.redirection = .none
                push(.processSubstitution)
            } else if command.isArrayAssignment {
                push(.array)
            } else {
                endWord(commandEnds: true)
                push(.subshell)
                pending.parenthesis = true
            }
        case ")":
            endWord(commandEnds: true)
            if cases == 0, kind != .top { pop() }
        case " ", "\t":
            endWord(commandEnds: false)
        case "\n", ";", "&", "|":
            endWord(commandEnds: true)
        default:
            startWord()
            command.append(character)
        }
    }

    /// Something that is not an operator: a word (a redirection's file, after `>`) has started.
    private mutating func startWord() {
        if command.redirection == .operator { command.redirection = .target }
        atWordStart = false
    }

    /// Ends the word being read; `case` and `esac` open and close a case statement.
    private mutating func endWord(commandEnds: Bool) {
        switch command.endWord() {
        case "case"?: adjustCases(by: 1)
        case "esac"?: adjustCases(by: -1)
        default: break
        }
        if commandEnds { command = ShellCommand() }
        atWordStart = true
    }

    private mutating func adjustCases(by change: Int) {
        guard case .words(let kind, let cases) = frames[frames.count - 1] else { return }
        replaceTop(.words(kind, cases: max(0, cases + change)))
    }

    /// Enters `( … )`, `$( … )`, `<( … )` or `NAME=( … )`: words of their own.
    private mutating func push(_ kind: Words) {
        outerCommands.append(command)
        command = ShellCommand()
        frames.append(.words(kind, cases: 0))
        atWordStart = true
    }

    private mutating func pop() {
        // The top level is never closed.
        guard frames.count > 1 else { return }
        let frame = frames.removeLast()
        atWordStart = false
        guard case .words(let kind, _) = frame, let outer = outerCommands.popLast() else {
            // After the command `(( … ))`, as after `( … )`, a `#` starts a comment.
            if case .arithmetic(_, expansion: false) = frame { atWordStart = true }
            return
        }
        command = outer
        // After `( … )` a `#` starts a comment; after `$( … )`, `<( … )` or `NAME=( … )` the word goes on.
        if kind == .subshell { atWordStart = true } else { command.appendDynamic() }
    }

    private mutating func replaceTop(_ frame: Frame) {
        frames[frames.count - 1] = frame
    }
}

extension ShellLexer.Frame {
    fileprivate var isSubstitution: Bool {
        if case .words(.substitution, _) = self { true } else { false }
    }
}
