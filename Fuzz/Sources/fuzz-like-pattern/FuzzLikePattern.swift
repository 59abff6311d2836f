import FuzzDriver
import OrchestratorAPI

/// The input split at its first NUL byte into a pattern and a value (without a NUL, the whole
/// input is both), each read as UTF-8 (invalid sequences become U+FFFD). `LikePattern(pattern)`
/// and its `matches(value)` must agree with `ReferenceLike` below, a plain dynamic-programming
/// matcher written from LikePattern's documentation; a disagreement traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLikePattern(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let pattern: String
    let value: String
    if let nul = bytes.firstIndex(of: 0) {
        pattern = String(decoding: bytes[..<nul], as: UTF8.self)
        value = String(decoding: bytes[(nul + 1)...], as: UTF8.self)
    } else {
        pattern = String(decoding: bytes, as: UTF8.self)
        value = pattern
    }
    let expected = ReferenceLike(pattern).map { $0.matches(value) }
    let actual = LikePattern(pattern).map { $0.matches(value) }
    guard expected == actual else {
        fatalError(
            "LikePattern(\(pattern.debugDescription))?.matches(\(value.debugDescription)) is \(String(describing: actual)); the reference says \(String(describing: expected))"
        )
    }
    return 0
}

/// SQL `ILIKE '%pattern%'` as LikePattern documents it, matched the slow, obvious way.
///
/// - The pattern is read a Character at a time; more than 200 Characters is no pattern (`nil`).
/// - `|` separates alternatives; the value matches when any alternative does (an empty
///   alternative matches everything).
/// - `%` stands for any run of Characters, `_` for exactly one; `\` makes the next Character
///   literal, whatever it is; a `\` at the very end is a literal backslash.
/// - The match is of a substring (as if `%` stood at both ends) and case-insensitive: two
///   Characters are equal when their `lowercased()` strings are.
struct ReferenceLike {
    enum Token {
        case literal(String)  // lowercased
        case one
        case many
    }

    let alternatives: [[Token]]

    init?(_ pattern: String) {
        let characters = Array(pattern)
        guard characters.count <= 200 else { return nil }
        var alternatives: [[Token]] = [[.many]]
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "\\":
                if index < characters.count {
                    alternatives[alternatives.count - 1].append(.literal(String(characters[index]).lowercased()))
                    index += 1
                } else {
                    alternatives[alternatives.count - 1].append(.literal("\\"))
                }
            case "%": alternatives[alternatives.count - 1].append(.many)
            case "_": alternatives[alternatives.count - 1].append(.one)
            case "|":
                alternatives[alternatives.count - 1].append(.many)
                alternatives.append([.many])
            default: alternatives[alternatives.count - 1].append(.literal(String(character).lowercased()))
            }
        }
        alternatives[alternatives.count - 1].append(.many)
        self.alternatives = alternatives
    }

    func matches(_ value: String) -> Bool {
        let text = value.map { String($0).lowercased() }
        return alternatives.contains { Self.matches($0, text) }
    }

    /// Bottom-up DP: `row[j]` says whether `tokens[i...]` matches `text[j...]`, for i from the
    /// end down to 0.
    static func matches(_ tokens: [Token], _ text: [String]) -> Bool {
        let n = text.count
        var row = [Bool](repeating: false, count: n + 1)
        row[n] = true  // no tokens left matches only the empty rest
        for token in tokens.reversed() {
            var next = [Bool](repeating: false, count: n + 1)
            switch token {
            case .many:
                // any run: tokens[i+1...] matches text[k...] for some k >= j
                var any = false
                for j in stride(from: n, through: 0, by: -1) {
                    any = any || row[j]
                    next[j] = any
                }
            case .one:
                for j in 0..<n { next[j] = row[j + 1] }
            case .literal(let literal):
                for j in 0..<n { next[j] = row[j + 1] && text[j] == literal }
            }
            row = next
        }
        return row[0]
    }
}

/// The executable's main, as SwiftPM links it (see FuzzDriver.h): libFuzzer on fuzzLikePattern.
@_cdecl("fuzz_like_pattern_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    flowline_fuzz_main(argc, argv, fuzzLikePattern)
}
