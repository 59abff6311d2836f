import Testing

@testable import TaskExecution

@Suite("Task output lines")
struct LineSplitterTests {
    func lines(_ chunks: [String]) -> [String] {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in chunks { splitter.feed(ArraySlice(chunk.utf8)) { piece, _ in lines.append(String(decoding: piece, as: UTF8.self)) } }
        splitter.finish { piece, _ in lines.append(String(decoding: piece, as: UTF8.self)) }
        return lines
    }

    @Test("\\n, \\r and \\r\\n end lines, across chunks; a last line without an end is kept")
    func endings() {
        #expect(lines(["a\nb\rc\r\nd"]) == ["a", "b", "c", "d"])
        #expect(lines(["a\r", "\nb", "\n"]) == ["a", "b"])
        #expect(lines(["10%\r20%\r30%\rdone\n"]) == ["10%", "20%", "30%", "done"])
        #expect(lines(["\n\n"]) == ["", ""])
    }

    @Test("A line longer than 64 KiB is cut into pieces, the bytes kept in order")
    func longLines() {
        let long = String(repeating: "x", count: LineSplitter.maximumLength * 2 + 10)
        let pieces = lines([String(long.prefix(1000)), String(long.dropFirst(1000)) + "\nend"])
        #expect(pieces.map(\.count) == [LineSplitter.maximumLength, LineSplitter.maximumLength, 10, 3])
        #expect(pieces.joined() == long + "end")
    }

    @Test("A long line is never cut inside a UTF-8 character", arguments: ["é", "€", "🙂"])
    func longLinesKeepCharacters(character: String) {
        // One ASCII byte first, so the characters straddle every 64 KiB boundary at some length.
        let long = "x" + String(repeating: character, count: LineSplitter.maximumLength)
        let pieces = lines([long])
        #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") && $0.utf8.count <= LineSplitter.maximumLength })
        #expect(pieces.joined() == long)
    }
}
