/// The simple command a ``ShellLexer`` is reading, as far as its words decide where a value may
/// go: which command runs, and what it does with its arguments.
///
/// Words are kept as text, with U+0000 for each value and expansion (a part only known when the
/// command runs) and U+0001 for the middle of a long word, so that a template reaches finitely
/// many states (``ShellTemplate`` follows `{% for %}` loops until they repeat one).
struct ShellCommand: Hashable {
    /// What a `<` or `>` has started.
    enum Redirection: Hashable {
        case none
        /// Operator characters are being read (`>`, `>>`, `2>&`).
        case `operator`
        /// The word being read is the redirection's file, not an argument.
        case target
    }

    /// The word being read.
    private(set) var word = ""
    /// Whether any of the word was quoted, escaped or expanded (it is then never a reserved word).
    private(set) var isQuoted = false
    var redirection = Redirection.none
    /// Whether a word of the command has ended: reserved words only come first.
    private(set) var hasWords = false
    /// The command's name (its first word that is not an assignment or an option, by its last path
    /// component) when a rule below names it, `""` for any other command, `nil` before it is read.
    private(set) var name: String?
    /// The arguments after the name, counted to 2.
    private(set) var arguments = 0
    /// The last argument: `"\0"` if it holds a value, itself if ``remembered`` names it, else `""`.
    private(set) var previous = ""
    /// A command of this command line that runs later words as shell code (`eval`, `bash -c`).
    private(set) var runner: String?
    /// A shell's name read as a word of the command, waiting for a `-c`.
    private(set) var shell: String?
    /// The command is a shell that has not yet read its script's name.
    private(set) var awaitsScript = false

    /// Whether a word has started (an empty quoted string is a word).
    var hasWord: Bool { !word.isEmpty || isQuoted }

    /// Whether the word so far is unquoted digits or `{name}`: a redirection's file descriptor.
    var isDescriptor: Bool {
        guard !isQuoted, !word.isEmpty else { return false }
        if word.allSatisfy(\.isASCIIDigit) { return true }
        return word.hasPrefix("{") && word.hasSuffix("}") && word.count > 2 && word.dropFirst().dropLast().allSatisfy(\.isNameCharacter)
    }

    /// Whether the word so far is `NAME=` or `NAME+=`, before an array's `( … )`.
    var isArrayAssignment: Bool {
        !isQuoted && (word.hasSuffix("=") || word.hasSuffix("+=")) && Self.isAssignment(word)
    }

    /// Forgets the word read so far (a redirection's descriptor).
    mutating func dropWord() {
        word = ""
        isQuoted = false
    }

    mutating func append(_ character: Unicode.Scalar) {
        word.unicodeScalars.append(character)
        compact()
    }

    /// Quoted or escaped text follows: the word is no reserved word.
    mutating func markQuoted() {
        isQuoted = true
    }

    /// A value, expansion or substitution: text the shell only knows when it runs.
    mutating func appendDynamic() {
        isQuoted = true
        if word.unicodeScalars.last != "\u{0}" { word.unicodeScalars.append("\u{0}") }
        compact()
    }

    /// Keeps a long word's first and last characters (what the rules read) around U+0001.
    private mutating func compact() {
        let scalars = word.unicodeScalars
        guard scalars.count > 96 else { return }
        var kept = String.UnicodeScalarView(scalars.prefix(40))
        kept.append("\u{1}")
        kept.append(contentsOf: scalars.suffix(40))
        word = String(kept)
    }

    /// Ends the word being read; returns it when it is `case` or `esac` in command position.
    mutating func endWord() -> String? {
        defer { dropWord() }
        guard hasWord else {
            if redirection == .operator { redirection = .target }
            return nil
        }
        if redirection != .none {
            redirection = .none
            return nil
        }
        let plain = isQuoted ? nil : word
        if !hasWords, let plain, Self.reservedWords.contains(plain) { return nil }
        let keyword = !hasWords && (plain == "case" || plain == "esac") ? plain : nil
        hasWords = true
        read(word)
        return keyword
    }

    private mutating func read(_ word: String) {
        let base = word.split(separator: "/").last.map(String.init) ?? word
        let isName = name == nil && !Self.isAssignment(word) && !word.hasPrefix("-")
        if runner == nil {
            if Self.reevaluating.contains(base) || (Self.sourcing.contains(base) && (isName || name.map(Self.wrappers.contains) == true)) {
                runner = base
            } else if let shell, word.hasPrefix("-"), !word.hasPrefix("--"), word.contains("c") || word.contains("\u{1}") {
                runner = "\(shell) -c"
            }
            if ShellQuote.posixShells.contains(base) { shell = base }
        }
        guard name != nil else {
            // Assignments and options (`time -p`) come before the name.
            guard isName else { return }
            name = Self.named.contains(base) ? base : ""
            awaitsScript = ShellQuote.posixShells.contains(base)
            return
        }
        if awaitsScript, !word.hasPrefix("-"), !word.hasPrefix("+"), !Self.remembered.contains(previous) { awaitsScript = false }
        arguments = min(arguments + 1, 2)
        previous = word.contains("\u{0}") ? "\u{0}" : Self.remembered.contains(word) ? word : ""
    }

    /// Why a value cannot go into the word being read, if it cannot; `trusted` for a Variable or
    /// the DAG's own names, which may name a command.
    func problem(trusted: Bool) -> ShellLexer.Place? {
        if let runner { return .reevaluated(runner) }
        if name == "[[" { return .conditional }
        if redirection != .none { return nil }
        guard let name else {
            if Self.isSubscript(word, inArray: false) { return .arraySubscript }
            return trusted || Self.isAssignment(word) ? nil : .commandName
        }
        if Self.wrappers.contains(name) { return trusted ? nil : .wrapped(name) }
        if Self.exporting.contains(name) { return Self.isAssignment(word) ? nil : .evaluated(name) }
        if Self.evaluating.contains(name) { return .evaluated(name) }
        if awaitsScript { return trusted ? nil : .script(name) }
        switch name {
        case "printf" where word.hasPrefix("-v") || previous == "-v" || (arguments == 1 && previous == "\u{0}"):
            return .evaluated("printf -v")
        case "test" where Self.testNames.contains(previous), "[" where Self.testNames.contains(previous):
            return .evaluated("\(name) -v")
        default:
            return nil
        }
    }

    /// Why a value cannot go into the word being read as an element of `NAME=( … )`, if it cannot.
    func elementProblem() -> ShellLexer.Place? {
        Self.isSubscript(word, inArray: true) ? .arraySubscript : nil
    }

    /// `NAME=…` or `NAME+=…`: a variable set for the command, not the command.
    static func isAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "="), let first = word.first, first.isASCIILetter || first == "_" else { return false }
        var name = word[..<equals]
        if name.last == "+" { name = name.dropLast() }
        return name.allSatisfy(\.isNameCharacter)
    }

    /// Whether the word so far is inside the subscript of `NAME[…]=` (an array element's `[…]=`
    /// in `NAME=( … )`), which bash evaluates as arithmetic, `$( … )` in quotes included.
    private static func isSubscript(_ word: String, inArray: Bool) -> Bool {
        guard let bracket = word.firstIndex(of: "[") else { return false }
        let name = word[..<bracket]
        if inArray {
            guard name.isEmpty else { return false }
        } else {
            guard let first = name.first, first.isASCIILetter || first == "_", name.allSatisfy(\.isNameCharacter) else { return false }
        }
        return !word[bracket...].contains("]=")
    }

    /// Reserved words after which the next word still names the command (`if true; then cmd; fi`).
    static let reservedWords: Set<String> = ["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "coproc"]
    /// Commands that run their arguments as shell code, wherever they stand in the command line
    /// (`docker exec c ssh host …`).
    private static let reevaluating: Set<String> = ["eval", "ssh", "su", "runuser", "sg", "watch", "parallel"]
    /// Builtins that run a file as shell code, as the command (`.` is also an argument of `find`).
    private static let sourcing: Set<String> = ["source", "."]
    /// Commands that run a command their arguments name (`env X=1 cmd`, `timeout 5 cmd`, `sudo -u root cmd`).
    private static let wrappers: Set<String> = [
        "env", "exec", "command", "builtin", "time", "sudo", "doas", "nohup", "nice", "ionice", "chrt", "taskset", "timeout",
        "stdbuf", "setsid", "chroot", "flock", "unshare", "nsenter", "setpriv", "xargs", "busybox", "strace", "ltrace",
        "valgrind", "fakeroot", "eatmydata", "faketime", "unbuffer", "numactl", "setarch", "systemd-run", "xvfb-run",
    ]
    /// Builtins whose `NAME=value` arguments take a value after the `=`, and nowhere else.
    private static let exporting: Set<String> = ["export", "readonly"]
    /// Builtins that read their arguments as variable names (whose array subscripts bash evaluates
    /// as arithmetic, `$( … )` included), as code, or as either (`declare -n`).
    private static let evaluating: Set<String> = [
        "let", "trap", "declare", "typeset", "local", "read", "unset", "mapfile", "readarray", "wait", "getopts",
        "alias", "compgen", "complete", "enable", "hash",
    ]
    /// What comes before a name in `test -v NAME` (a value, which may be `-v`).
    private static let testNames: Set<String> = ["-v", "-R", "\u{0}"]
    /// The commands ``name`` keeps.
    private static let named = ShellQuote.posixShells.union(wrappers).union(exporting).union(evaluating).union(["[[", "printf", "test", "["])
    /// Arguments that decide what the next one is: `test -v NAME`, `printf -v NAME`, `bash -o OPTION`.
    private static let remembered: Set<String> = ["-v", "-R", "-o", "+o", "-O", "+O", "--rcfile", "--init-file"]
}

extension Character {
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isNameCharacter: Bool { isASCIILetter || isASCIIDigit || self == "_" }
}
