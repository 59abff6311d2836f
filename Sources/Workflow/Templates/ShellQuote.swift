import Foundation

/// Quoting for POSIX shells: the one place a `'` is escaped, for templates (``ShellTemplate``) and
/// MLproject commands alike.
package enum ShellQuote {
    /// The shells whose quoting these functions follow (and whose `-c` runs its argument as code).
    static let posixShells: Set<String> = ["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash"]

    /// `text` for the inside of `'…'`: each `'` closes the quotes, is written as `"'"`, and reopens them.
    static func insideSingleQuotes(_ text: String) -> String {
        text.replacingOccurrences(of: "'", with: #"'"'"'"#)
    }

    /// `text` as one single-quoted word, quoted even when it holds nothing special (so that it is
    /// never a reserved word, an assignment or a pattern).
    static func singleQuoted(_ text: String) -> String {
        "'" + insideSingleQuotes(text) + "'"
    }

    /// `text` as one word, as Python's `shlex.quote` writes it: as it is when it only holds
    /// characters no shell reads specially.
    package static func quote(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ safe.contains($0) }) { return text }
        return singleQuoted(text)
    }

    private static let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
}
