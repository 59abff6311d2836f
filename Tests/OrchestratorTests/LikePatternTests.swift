import Testing

@testable import OrchestratorAPI

@Suite("LIKE patterns of the API's *_pattern filters")
struct LikePatternTests {
    @Test(
        "Substring, % and _ wildcards, escapes, | alternatives, case-insensitive",
        arguments: [
            ("hello", "ell", true), ("hello", "ELL", true), ("hello", "h%o", true), ("hello", "h_llo", true), ("hello", "h_lo", false),
            ("hello", "", true), ("hello", "%", true), ("hello", "x|ll", true), ("hello", "x|y", false), ("50%_off", "50\\%\\_", true),
            ("50x_off", "50\\%", false), ("a.b", ".", true), ("ab", "a.b", false), ("a+b", "a+b", true), ("(x)", "(x)", true),
            ("example_hello", "example%hello", true), ("example_hello", "e_ample", true), ("ÉCOLE", "école", true), ("a\\b", "a\\\\b", true),
        ]
    )
    func matches(value: String, pattern: String, expected: Bool) throws {
        #expect(try #require(LikePattern(pattern)).matches(value) == expected, "\(value) LIKE \(pattern)")
    }

    @Test("Patterns that were exponential as regular expressions take linear time", .timeLimit(.minutes(1)))
    func hostile() throws {
        let value = String(repeating: "%", count: 250)
        let cases = [("%%%%%%%%!", false), (String(repeating: "%_", count: 100), true), (String(repeating: "_%", count: 99) + "!", false)]
        for (pattern, expected) in cases {
            let like = try #require(LikePattern(pattern))
            var results: Set<Bool> = []
            for _ in 0..<1_000 { results.insert(like.matches(value)) }
            #expect(results == [expected], "pattern of \(pattern.count) characters")
        }
    }

    @Test("Patterns longer than 200 characters are refused")
    func cap() {
        #expect(LikePattern(String(repeating: "a", count: 200)) != nil)
        #expect(LikePattern(String(repeating: "a", count: 201)) == nil)
    }
}
