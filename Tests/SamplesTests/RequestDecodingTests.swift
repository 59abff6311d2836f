import HTTPSupport
import JSON
import Testing

@testable import Samples

@Suite("Request decoding")
struct RequestDecodingTests {
    static func issues(_ body: String, maximum: Int = 1_000_000) -> [ValidationIssue] {
        do {
            _ = try GetSamplesRequest.decode(Array(body.utf8), maximumCount: maximum)
            return []
        } catch {
            guard case .issues(let issues) = error.detail else { return [] }
            return issues
        }
    }

    static func lineIssues(_ body: String) -> [ValidationIssue] {
        do {
            _ = try LineParameters.decode(Array(body.utf8))
            return []
        } catch {
            guard case .issues(let issues) = error.detail else { return [] }
            return issues
        }
    }

    @Test(
        "Valid get-samples bodies",
        arguments: [
            ("{}", 1), ("", 1), ("  ", 1), (#"{"n_samples": 5}"#, 5), (#"{"n_samples": 0}"#, 0),
            (#"{"n_samples": 2.0}"#, 2), (#"{"n_samples": "7"}"#, 7), (#"{"n_samples": " 8 "}"#, 8),
            (#"{"n_samples": 1e3}"#, 1000), (#"{"n_samples": 1000000}"#, 1_000_000), (#"{"n_samples": 3, "extra": true}"#, 3),
        ]
    )
    func validCounts(body: String, count: Int) throws {
        #expect(try GetSamplesRequest.decode(Array(body.utf8), maximumCount: 1_000_000).count == count)
    }

    @Test("Seeds are read as unsigned integers")
    func seed() throws {
        let request = try GetSamplesRequest.decode(Array(#"{"n_samples": 2, "seed": 42}"#.utf8), maximumCount: 10)
        #expect(request.seed == 42)
        #expect(Self.issues(#"{"seed": -1}"#).map(\.type) == ["greater_than_equal"])
        #expect(Self.issues(#"{"seed": "x"}"#).map(\.type) == ["int_parsing"])
    }

    @Test(
        "Invalid get-samples bodies give FastAPI's error types",
        arguments: [
            (#"{"n_samples": -1}"#, "greater_than_equal"),
            (#"{"n_samples": 1000001}"#, "less_than_equal"),
            (#"{"n_samples": 99999999999999999999999}"#, "less_than_equal"),
            (#"{"n_samples": -99999999999999999999999}"#, "greater_than_equal"),
            (#"{"n_samples": 2.5}"#, "int_from_float"),
            (#"{"n_samples": "abc"}"#, "int_parsing"),
            (#"{"n_samples": "1e3"}"#, "int_parsing"),
            (#"{"n_samples": null}"#, "int_type"),
            (#"{"n_samples": true}"#, "int_type"),
            (#"{"n_samples": [1]}"#, "int_type"),
            (#"{"n_samples": {}}"#, "int_type"),
            (#"{"n_samples": NaN}"#, "finite_number"),
            (#"{"n_samples": Infinity}"#, "finite_number"),
            (#"{"n_samples": 1e400}"#, "finite_number"),
            ("[1]", "model_attributes_type"),
            ("3", "model_attributes_type"),
            (#""x""#, "model_attributes_type"),
            (#"{"n_samples": "#, "json_invalid"),
            (#"{"n_samples": 1}x"#, "json_invalid"),
            ("{n_samples: 1}", "json_invalid"),
            (#"{"n_samples": 01}"#, "json_invalid"),
        ]
    )
    func invalidCounts(body: String, type: String) {
        #expect(Self.issues(body).map(\.type) == [type])
    }

    @Test("The cap is configurable")
    func cap() {
        let issues = Self.issues(#"{"n_samples": 11}"#, maximum: 10)
        #expect(issues.first?.message == "Input should be less than or equal to 10")
        #expect(issues.first?.location == [.key("body"), .key("n_samples")])
    }

    @Test("A JSON syntax error reports its byte offset and Python's message")
    func syntaxErrorOffset() {
        let issue = Self.issues(#"{"n_samples": "#).first
        #expect(issue?.location == [.key("body"), .offset(14)])
        #expect(issue?.context["error"] == .string("Expecting value"))
        #expect(Self.issues(#"{"n_samples": 1}x"#).first?.location == [.key("body"), .offset(16)])
    }

    @Test("Valid line bodies")
    func validLine() throws {
        let line = try LineParameters.decode(Array(#"{"gradient": -1, "intercept": "100", "noise_sigma": 0}"#.utf8))
        #expect(line == LineParameters(gradient: -1, intercept: 100, noiseSigma: 0))
    }

    @Test(
        "Invalid line bodies list every problem",
        arguments: [
            (#"{"gradient": 1}"#, ["missing", "missing"]),
            ("{}", ["missing", "missing", "missing"]),
            ("", ["missing"]),
            (#"{"gradient": "x", "intercept": null, "noise_sigma": -0.5}"#, ["float_parsing", "float_type", "greater_than_equal"]),
            (#"{"gradient": NaN, "intercept": Infinity, "noise_sigma": -Infinity}"#, ["finite_number", "finite_number", "finite_number"]),
            (#"{"gradient": 1e999, "intercept": 0, "noise_sigma": "nan"}"#, ["finite_number", "finite_number"]),
            (#"{"gradient": true, "intercept": [], "noise_sigma": {}}"#, ["float_type", "float_type", "float_type"]),
            (#"[1, 2, 3]"#, ["model_attributes_type"]),
        ]
    )
    func invalidLine(body: String, types: [String]) {
        #expect(Self.lineIssues(body).map(\.type) == types)
    }
}
