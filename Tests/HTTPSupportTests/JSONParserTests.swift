import JSON
import NIOCore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("Parses every kind of value")
    func values() throws {
        let value = try Self.parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00\n", "c": {}} "#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        guard case .array(let array) = members["a"] else {
            Issue.record("no array")
            return
        }
        #expect(array.count == 5)
        if case .number(let number) = array[1] {
            #expect(number.doubleValue == -2500)
            #expect(!number.isIntegerLiteral)
        }
        #expect(members["b"] == .string("x\"é😀\n"))
        #expect(members["c"] == .object([:]))
    }

    @Test("Keeps the last of repeated keys, as Python does")
    func repeatedKeys() throws {
        #expect(try Self.parse(#"{"a": 1, "a": "two"}"#) == .object(["a": .string("two")]))
    }

    @Test("Accepts Python's non-finite literals and overflows to infinity")
    func nonFinite() throws {
        for (text, expected) in [
            ("NaN", Double.nan), ("Infinity", .infinity), ("-Infinity", -.infinity), ("1e999", .infinity), ("-1e999", -.infinity),
        ] {
            guard case .number(let number) = try Self.parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(number.doubleValue.isNaN == expected.isNaN)
            if !expected.isNaN { #expect(number.doubleValue == expected) }
        }
    }

    @Test("Exact integers", arguments: [("3", 3), ("3.0", 3), ("1e2", 100), ("-0", 0)])
    func exactIntegers(text: String, value: Int) throws {
        guard case .number(let number) = try Self.parse(text) else {
            Issue.record("not a number")
            return
        }
        #expect(number.exactInteger == value)
    }

    @Test("No exact integer for fractions and huge values", arguments: ["3.5", "1e30", "99999999999999999999"])
    func notIntegers(text: String) throws {
        guard case .number(let number) = try Self.parse(text) else {
            Issue.record("not a number")
            return
        }
        #expect(number.exactInteger == nil)
    }

    @Test(
        "Syntax errors carry Python's message and the offset",
        arguments: [
            ("", 0, "Expecting value"),
            ("{", 1, "Expecting property name enclosed in double quotes"),
            (#"{"a" 1}"#, 5, "Expecting ':' delimiter"),
            (#"{"a": 1 "b": 2}"#, 8, "Expecting ',' delimiter"),
            ("[1,]", 3, "Expecting value"),
            ("1 2", 2, "Extra data"),
            (#""abc"#, 0, "Unterminated string starting at"),
            ("\"a\u{01}\"", 2, "Invalid control character at"),
            (#""\q""#, 1, #"Invalid \escape"#),
            ("tru", 0, "Expecting value"),
            ("-", 0, "Expecting value"),
            ("1.", 0, "Expecting value"),
            ("01", 1, "Extra data"),
        ]
    )
    func syntaxErrors(text: String, offset: Int, message: String) {
        #expect(throws: JSONParseError(offset: offset, message: message)) { try Self.parse(text) }
    }

    @Test("Nesting is limited, so no input can exhaust the stack")
    func nesting() throws {
        let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try Self.parse(fine)
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try Self.parse(deep) }
    }

    @Test("Arbitrary bytes never crash the parser")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,0123456789.eE+-tfnulrsaNIy \ "#.utf8) + [0, 0xFF, 0xC3]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? JSONParser.parse(bytes)
        }
    }
}

@Suite("JSON writing")
struct JSONWritingTests {
    @Test("Strings are escaped")
    func strings() {
        var buffer = ByteBuffer()
        buffer.writeJSONString("a\"b\\c\n\u{01}é")
        #expect(String(buffer: buffer) == #""a\"b\\c\n\u0001é""#)
    }

    @Test(
        "Numbers round-trip; non-finite numbers become strings",
        arguments: [
            (0.1, "0.1"), (1.0, "1.0"), (-2.5e-8, "-2.5e-08"), (Double.nan, #""NaN""#), (Double.infinity, #""Infinity""#),
            (-Double.infinity, #""-Infinity""#), (0.5488135039273248, "0.5488135039273248"),
        ]
    )
    func numbers(value: Double, text: String) {
        var buffer = ByteBuffer()
        buffer.writeJSONNumber(value)
        #expect(String(buffer: buffer) == text)
    }

    @Test("Values are written back as JSON")
    func values() throws {
        let text = #"{"a":[1,2.50,true,null],"b":"x"}"#
        var buffer = ByteBuffer()
        buffer.writeJSON(try JSONParser.parse(Array(text.utf8)))
        #expect(String(buffer: buffer) == text)
    }
}

@Suite("Shortest double formatting")
struct ShortestDoubleTests {
    static func text(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ShortestDouble.maximumLength) { buffer in
            guard let base = buffer.baseAddress else { return "" }
            let count = ShortestDouble.write(value, to: base)
            return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
        }
    }

    @Test(
        "Matches Double.description and reads back exactly",
        arguments: [
            0.0, -0.0, 1.0, 0.1, 1e-5, 123456789.0, 1e16, 1e22, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude,
            -Double.greatestFiniteMagnitude, Double.leastNormalMagnitude, 0.5488135039273248, -2.5e-8,
        ]
    )
    func edgeCases(value: Double) {
        #expect(Self.text(value) == value.description)
        #expect(Double(Self.text(value)) == value)
    }

    @Test("Matches Double.description for a million random values")
    func random() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            let text = Self.text(value)
            if text != value.description || Double(text) != value {
                Issue.record("\(value.bitPattern): \(text) vs \(value.description)")
                return
            }
        }
    }
}
