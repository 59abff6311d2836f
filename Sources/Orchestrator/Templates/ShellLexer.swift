import Foundation

/// Just enough of the POSIX shell's grammar to know, at any point of a command, whether the
/// shell is reading plain words, a quoted string, or something a value must not enter.
struct ShellLexer {
    enum Frame: Equatable {
        /// Plain words: the top level, `( … )` or `$( … )` (`substitution`); `cases` counts the
        /// open `case … esac`, whose patterns end with a `)` that closes nothing.
        case words(substitution: Bool, parenthesis: Bool, cases: Int)
        case doubleQuoted
        case singleQuoted
        case backticks
        case ansiC
        case parameter(braces: Int)
        case arithmetic(parentheses: Int)
        case comment

        var isSubstitution: Bool {
            if case .words(substitution: true, _, _) = self { true } else { false }
        }
    }

    /// Where a value cannot go.
    enum Place: Error, Equatable, CustomStringConvertible {
        case nested(String)
        case adjacent
        case hereDocument
        case reevaluated(String)

        var description: String {
            switch self {
            case .nested(let what): "inside \(what), where a value cannot be quoted"
            case .adjacent: "right after a '\\' or '$', which would change how the value is read"
            case .hereDocument: "after a here-document (<<), where a value cannot be quoted"
            case .reevaluated(let command): "text that '\(command)' runs again as shell code"
            }
        }
    }

    struct State: Equatable {
        var frames: [Frame] = [.words(substitution: false, parenthesis: false, cases: 0)]
        var escaped = false
        var atWordStart = true
        /// The word being read, while it is plain (for `case`, `esac`, `eval`, `-c`).
        var word = ""
        /// The words of the simple command so far.
        var commandWords: [String] = []
        /// The word and command words of the commands around a `( … )` or `$( … )` being read.
        var outerCommands: [OuterCommand] = []
        var afterHereDocument = false
        /// A `$` just read, waiting to see what follows.
        var dollar = false
        /// A `<` just read (plain words), waiting for a second.
        var lessThan = false
        /// The second `(` of `$((` may follow.
        var arithmeticOpening = false
    }

    var state = State()

    struct OuterCommand: Equatable {
        var word: String
        var commandWords: [String]
    }

    /// What decides where a value lands, for comparing the ways through a `{% %}` block.
    struct Summary: Equatable {
        var frames: [Frame]
        var pending: [Bool]
        var isCommandName: Bool
        var reevaluates: Bool
    }

    var summary: Summary {
        Summary(
            frames: state.frames,
            pending: [state.escaped, state.dollar, state.lessThan, state.arithmeticOpening, state.afterHereDocument, state.atWordStart],
            isCommandName: isCommandName, reevaluates: reevaluatingCommand != nil
        )
    }

    /// A value was written here: it is part of the current word (and never a keyword).
    mutating func wroteValue() {
        state.word.unicodeScalars.append("\u{0}")
        state.atWordStart = false
    }

    /// Where a value would land now.
    var quoting: Result<ShellTemplate.Quoting, Place> {
        if state.afterHereDocument { return .failure(.hereDocument) }
        if state.escaped || state.dollar { return .failure(.adjacent) }
        if state.frames.contains(where: \.isSubstitution) { return .failure(.nested("a command substitution $( … )")) }
        for frame in state.frames.dropLast() {
            guard case .words = frame else { return .failure(.nested("nested quotes")) }
        }
        if let runner = reevaluatingCommand { return .failure(.reevaluated(runner)) }
        switch state.frames.last {
        case .words?: return .success(.bare)
        case .doubleQuoted?: return .success(.doubleQuoted)
        case .singleQuoted?: return .success(.singleQuoted)
        case .backticks?: return .failure(.nested("backticks"))
        case .ansiC?: return .failure(.nested("$'…' quotes"))
        case .parameter?: return .failure(.nested("a parameter expansion ${ … }"))
        case .arithmetic?: return .failure(.nested("arithmetic $(( … ))"))
        case .comment?: return .failure(.nested("a comment"))
        case nil: return .failure(.nested("nothing"))
        }
    }

    /// A command of the current simple command that would run its arguments as shell code.
    private var reevaluatingCommand: String? {
        let words = state.commandWords + (state.word.isEmpty ? [] : [state.word])
        for (index, word) in words.enumerated() {
            let name = word.split(separator: "/").last.map(String.init) ?? word
            if Self.reevaluating.contains(name) { return name }
            if Self.shells.contains(name), words[(index + 1)...].contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c") }) {
                return "\(name) -c"
            }
        }
        return nil
    }

    static let reevaluating: Set<String> = ["eval", "source", ".", "ssh", "su", "watch"]
    static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"]
    /// Commands that run their first argument (`env X=1 cmd`, `timeout 5 cmd`, `sudo cmd`).
    static let wrappers: Set<String> = ["env", "exec", "sudo", "nohup", "nice", "time", "command", "builtin", "xargs", "timeout", "stdbuf", "setsid", "chroot", "doas"]

    /// Whether a value here would be (part of) the name of the command that runs (`{{ x }} --flag`,
    /// `./{{ x }}`, or after `env`, `timeout 5`, `sudo` …).
    var isCommandName: Bool {
        !Self.isAssignment(state.word) && state.commandWords.allSatisfy { word in
            Self.wrappers.contains(word) || word.hasPrefix("-") || word.allSatisfy(\.isNumber) || Self.isAssignment(word)
        }
    }

    /// `NAME=…`: a variable set for the command, not the command.
    private static func isAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "="), let first = word.first, first.isLetter || first == "_" else { return false }
        return word[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    mutating func consume(_ text: Substring) {
        for character in text.unicodeScalars { consume(character) }
    }

    private mutating func consume(_ character: Unicode.Scalar) {
        if state.arithmeticOpening {
            state.arithmeticOpening = false
            if character == "(" {
                // `$((`: the `$(` frame just pushed becomes arithmetic.
                pop()
                state.frames.append(.arithmetic(parentheses: 2))
                return
            }
        }
        if state.dollar {
            state.dollar = false
            switch character {
            case "(":
                pushWords(.words(substitution: true, parenthesis: false, cases: 0))
                state.arithmeticOpening = true
                return
            case "{":
                state.frames.append(.parameter(braces: 1))
                return
            case "'" where isWords:
                state.frames.append(.ansiC)
                return
            default:
                break
            }
        }
        guard let frame = state.frames.last else { return }
        switch frame {
        case .words(let substitution, let parenthesis, let cases):
            words(character, substitution: substitution, parenthesis: parenthesis, cases: cases)
        case .doubleQuoted:
            if state.escaped { state.escaped = false; return }
            switch character {
            case "\\": state.escaped = true
            case "\"": pop()
            case "`": state.frames.append(.backticks)
            case "$": state.dollar = true
            default: break
            }
        case .singleQuoted:
            if character == "'" { pop() }
        case .backticks:
            if state.escaped { state.escaped = false; return }
            if character == "\\" { state.escaped = true } else if character == "`" { pop() }
        case .ansiC:
            if state.escaped { state.escaped = false; return }
            if character == "\\" { state.escaped = true } else if character == "'" { pop() }
        case .parameter(let braces):
            if state.escaped { state.escaped = false; return }
            switch character {
            case "\\": state.escaped = true
            case "{": replaceTop(.parameter(braces: braces + 1))
            case "}": if braces == 1 { pop() } else { replaceTop(.parameter(braces: braces - 1)) }
            case "\"": state.frames.append(.doubleQuoted)
            case "'": state.frames.append(.singleQuoted)
            case "`": state.frames.append(.backticks)
            case "$": state.dollar = true
            default: break
            }
        case .arithmetic(let parentheses):
            switch character {
            case "(": replaceTop(.arithmetic(parentheses: parentheses + 1))
            case ")": if parentheses <= 1 { pop() } else { replaceTop(.arithmetic(parentheses: parentheses - 1)) }
            case "$": state.dollar = true
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
        if case .words? = state.frames.last { true } else { false }
    }

    private mutating func words(_ character: Unicode.Scalar, substitution: Bool, parenthesis: Bool, cases: Int) {
        let wasLessThan = state.lessThan
        state.lessThan = false
        if state.escaped {
            state.escaped = false
            if character != "\n" { state.word.unicodeScalars.append(character) }
            state.atWordStart = false
            return
        }
        switch character {
        case "\\":
            state.escaped = true
            state.atWordStart = false
        case "'":
            state.frames.append(.singleQuoted)
            state.atWordStart = false
        case "\"":
            state.frames.append(.doubleQuoted)
            state.atWordStart = false
        case "`":
            state.frames.append(.backticks)
            state.atWordStart = false
        case "$":
            state.dollar = true
            state.atWordStart = false
        case "#" where state.atWordStart:
            state.frames.append(.comment)
        case "<":
            endWord(commandEnds: false)
            if wasLessThan { state.afterHereDocument = true } else { state.lessThan = true }
            state.atWordStart = true
        case "(":
            endWord(commandEnds: true)
            pushWords(.words(substitution: false, parenthesis: true, cases: 0))
        case ")":
            endWord(commandEnds: true)
            if cases == 0, substitution || parenthesis { pop() }
        case " ", "\t":
            endWord(commandEnds: false)
        case "\n", ";", "&", "|":
            endWord(commandEnds: true)
        default:
            state.word.unicodeScalars.append(character)
            state.atWordStart = false
        }
    }

    /// Ends the plain word being read; `case` and `esac` open and close a case statement.
    private mutating func endWord(commandEnds: Bool) {
        if !state.word.isEmpty {
            if state.commandWords.isEmpty, state.word == "case" { adjustCases(by: 1) }
            if state.commandWords.isEmpty, state.word == "esac" { adjustCases(by: -1) }
            state.commandWords.append(state.word)
            state.word = ""
        }
        if commandEnds { state.commandWords = [] }
        state.atWordStart = true
    }

    private mutating func adjustCases(by change: Int) {
        guard case .words(let substitution, let parenthesis, let cases)? = state.frames.last else { return }
        replaceTop(.words(substitution: substitution, parenthesis: parenthesis, cases: max(0, cases + change)))
    }

    /// Enters `( … )` or `$( … )`: a command of its own inside the current word.
    private mutating func pushWords(_ frame: Frame) {
        state.outerCommands.append(OuterCommand(word: state.word, commandWords: state.commandWords))
        state.word = ""
        state.commandWords = []
        state.frames.append(frame)
        state.atWordStart = true
    }

    private mutating func pop() {
        guard state.frames.count > 1 else { return }
        if case .words = state.frames.removeLast(), let outer = state.outerCommands.popLast() {
            // What was inside is part of the outer word, never a keyword.
            state.word = outer.word + "\u{0}"
            state.commandWords = outer.commandWords
        }
        state.atWordStart = false
    }

    private mutating func replaceTop(_ frame: Frame) {
        state.frames[state.frames.count - 1] = frame
    }
}
