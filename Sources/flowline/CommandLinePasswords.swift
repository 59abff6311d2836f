#if canImport(Glibc)
import Glibc
#endif

/// Hides the passwords of database URLs given on the command line
/// (`--database postgresql://user:password@host/db`) from other local users: `ps` and
/// `/proc/PID/cmdline` show the process's own argument memory, which is overwritten here with `*`
/// once Swift has copied the arguments. (`FLOWLINE_DATABASE` is the better place: this process's
/// environment is readable by root only, as it is not dumpable.)
enum CommandLinePasswords {
    static func hide() {
        _ = CommandLine.arguments  // Swift's copy, which the command parser reads, is made first.
        var previous: [UInt8] = []
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let length = strlen(argument)
            let bytes = UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: length)
            let text = Array(bytes)
            defer { previous = text }
            guard let range = passwordRange(in: text) ?? credentialRange(in: text, after: previous) else { continue }
            for offset in range { bytes[offset] = UInt8(ascii: "*") }
        }
    }

    /// The options whose value is `USER:PASSWORD`.
    static let credentialOptions = ["--artifacts-delete-credential"]

    /// Where the password of a `USER:PASSWORD` credential is in `text`: the value of a credential
    /// option, given as the argument after it (`previous`) or after `=`.
    static func credentialRange(in text: [UInt8], after previous: [UInt8]) -> Range<Int>? {
        var valueStart: Int?
        for option in credentialOptions.map({ Array($0.utf8) }) {
            if previous == option { valueStart = 0 }
            if text.starts(with: option + [UInt8(ascii: "=")]) { valueStart = option.count + 1 }
        }
        guard let valueStart, let colon = text[valueStart...].firstIndex(of: UInt8(ascii: ":")), colon + 1 < text.count else { return nil }
        return (colon + 1)..<text.count
    }

    /// Where the password of `scheme://user:password@host…` is in `text`, if it has one.
    static func passwordRange(in text: [UInt8]) -> Range<Int>? {
        guard
            let scheme = text.indices.first(where: { index in
                index + 2 < text.count && text[index] == UInt8(ascii: ":") && text[index + 1] == UInt8(ascii: "/")
                    && text[index + 2] == UInt8(ascii: "/")
            })
        else { return nil }
        let authorityStart = scheme + 3
        let authorityEnd = text[authorityStart...].firstIndex(of: UInt8(ascii: "/")) ?? text.count
        guard let at = text[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")),
            let colon = text[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at
        else { return nil }
        return (colon + 1)..<at
    }
}
