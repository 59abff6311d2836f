import Foundation
import Testing

@testable import Training

@Suite("Reading samples")
struct SampleReaderTests {
    func parse(_ text: String) throws(TrainingError) -> SampleSet { try SampleReader.parseJSON(Array(text.utf8)) }

    @Test("The samples service's JSON, a bare list, other keys, whitespace and number forms")
    func validJSON() throws {
        #expect(try parse(#"{"samples": [[0.5, 1], [-2e-3, 3.25E2]]}"#) == SampleSet(x: [0.5, -0.002], y: [1, 325]))
        #expect(try parse(" [ [0,0] , [1 ,\n2] ] ") == SampleSet(x: [0, 1], y: [0, 2]))
        #expect(try parse(#"{"meta": {"a": [1, "x\"]", null, true]}, "samples": [], "n": 0}"#).count == 0)
        #expect(try parse(#"{"samples": [[0.1, 0.2]], "more": [[[]]]}"#) == SampleSet(x: [0.1], y: [0.2]))
    }

    @Test("Numbers read exactly as strtod reads them, on the fast path and off it")
    func numbers() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0", "-0", "1", "0.1", "1e22", "1e23", "9007199254740993", "123456789012345678901234", "0.000000000000000000000000001",
            "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324", "1E-5", "-2.5e+3", "0.30000000000000004",
        ]
        for _ in 0..<5000 {
            let value = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -30...30, using: &generator)))
            texts.append(value.description)
            texts.append(String(format: "%.17g", value))
            texts.append(String(format: "%.3f", value))
        }
        let samples = try parse("[" + texts.map { "[\($0), 0]" }.joined(separator: ",") + "]")
        for (text, parsed) in zip(texts, samples.x) {
            let expected = try #require(Double(text))
            #expect(parsed.bitPattern == expected.bitPattern, "\(text): \(parsed) ≠ \(expected)")
        }
    }

    @Test("Bad samples are named by their index, and all of them are counted")
    func badSamples() {
        let cases: [(String, String)] = [
            (#"{"samples": [[1, 2], [1, 2, 3]]}"#, "samples[1] has 3 values, not a pair [x, y]"),
            (#"{"samples": [[1]]}"#, "samples[0] has 1 value, not a pair"),
            (#"{"samples": [[1, "2"]]}"#, "samples[0]: y is a string, not a number"),
            (#"{"samples": [[null, 2]]}"#, "samples[0]: x is null, not a number"),
            (#"{"samples": [[NaN, 2]]}"#, "samples[0]: x is NaN, not a finite number"),
            (#"{"samples": [[1, -Infinity]]}"#, "samples[0]: y is -Infinity, not a finite number"),
            (#"{"samples": [[1, 1e999]]}"#, "samples[0]: y is 1e999, not a finite number"),
            (#"{"samples": [5]}"#, "samples[0] is a number, not a pair"),
            (#"{"samples": {"x": 1}}"#, "\"samples\" is an object, not an array"),
            (#"{"other": []}"#, "has no \"samples\" array"),
        ]
        for (text, message) in cases {
            #expect(throws: TrainingError.self, "\(text)") { try parse(text) }
            do {
                _ = try parse(text)
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
        let many = "[" + (0..<25).map { _ in "[1]" }.joined(separator: ",") + "]"
        do {
            _ = try parse(many)
            Issue.record("accepted bad samples")
        } catch {
            #expect(error.message.hasPrefix("25 bad samples: samples[0] has 1 value"))
            #expect(error.message.hasSuffix("and 15 more"))
        }
    }

    @Test("Broken JSON says where")
    func syntax() {
        for text in [
            "", "{", #"{"samples": [[1, 2]"#, #"{"samples": [[1, 2],]}"#, "[[1, 2]] x", "[[01, 2]]", "[[1., 2]]", "[[-, 2]]", "[[1, 2]",
            #"{"samples" [[1,2]]}"#,
        ] {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.contains("not valid samples JSON at line"), "\(text): \(error.message)")
            }
        }
        do {
            _ = try parse("[\n[1, 2],\n[3 4]]")
        } catch {
            #expect(error.message.contains("line 3, column 4"), "\(error.message)")
        }
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: TrainingError.self) { try parse(#"{"a": \#(deep)}"#) }
    }

    @Test("CSV with or without a header; bad rows named by line")
    func csv() throws {
        #expect(try SampleReader.parseCSV(Array("x,y\n0.5,1\n\n2,3\r\n".utf8)) == SampleSet(x: [0.5, 2], y: [1, 3]))
        #expect(try SampleReader.parseCSV(Array("0.5,1\n2,3".utf8)) == SampleSet(x: [0.5, 2], y: [1, 3]))
        #expect(try SampleReader.parseCSV(Array("id,y,x\n1,10,0.5\n".utf8)) == SampleSet(x: [0.5], y: [10]))
        do {
            _ = try SampleReader.parseCSV(Array("x,y\n1,2\n3,abc\n4\n".utf8))
            Issue.record("accepted bad rows")
        } catch {
            #expect(error.message == "2 bad rows: line 3: y is 'abc', not a finite number; line 4 has 1 value, not x and y")
        }
    }

    @Test("Files: format from the extension, a missing file named")
    func files() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowline-samples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x,y\n1,2\n".utf8).write(to: folder.appendingPathComponent("a.csv"))
        try Data(#"{"samples": [[1, 2]]}"#.utf8).write(to: folder.appendingPathComponent("a.json"))
        #expect(try SampleReader.read(contentsOf: folder.appendingPathComponent("a.csv")).count == 1)
        #expect(try SampleReader.read(contentsOf: folder.appendingPathComponent("a.json")).count == 1)
        #expect(throws: TrainingError.self) { try SampleReader.read(contentsOf: folder.appendingPathComponent("missing.json")) }
    }
}
