import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Samples
import TestSupport
import Testing

/// Every endpoint of the samples service, over HTTP on a live loopback server.
@Suite("Samples service over HTTP")
struct SamplesHTTPTests {
    static func withServer(
        _ configuration: SamplesConfiguration = SamplesConfiguration(),
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.port = 0
        let application = buildSamplesApplication(configuration: configuration, version: "test", logger: logger)
        try await application.test(.live, test)
    }

    static func samples(_ response: TestResponse) throws -> [(x: Double, y: Double)] {
        let object = try jsonDictionary(response.body)
        guard let pairs = object["samples"] as? [[Double]] else { throw TestFailure("no samples in \(object)") }
        return try pairs.map { pair in
            guard pair.count == 2 else { throw TestFailure("sample \(pair) is not a pair") }
            return (pair[0], pair[1])
        }
    }

    static func post(_ client: any TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/get-samples", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(body))
    }

    static func put(_ client: any TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/put-line-params", method: .put, headers: [.contentType: "application/json"], body: ByteBuffer(body))
    }

    /// The `detail` list of a 422, as (loc, type) pairs.
    static func detail(_ response: TestResponse) throws -> [(loc: [String], type: String)] {
        #expect(response.status == .unprocessableContent)
        #expect(response.headers[.contentType] == "application/json")
        guard let issues = try jsonDictionary(response.body)["detail"] as? [[String: Any]] else {
            throw TestFailure("no detail list in \(String(buffer: response.body))")
        }
        return issues.map { issue in
            let loc = (issue["loc"] as? [Any] ?? []).map { "\($0)" }
            #expect(issue["msg"] is String)
            #expect(issue.keys.contains("input"))
            return (loc, issue["type"] as? String ?? "")
        }
    }

    @Test("GET /hello says hello")
    func hello() async throws {
        try await Self.withServer { client in
            let response = try await client.execute(uri: "/hello", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try jsonDictionary(response.body) as NSDictionary == ["message": "Hello"])
            let head = try await client.execute(uri: "/hello", method: .head)
            #expect(head.status == .ok)
        }
    }

    @Test("POST /get-samples gives n pairs; {} and an empty body give one")
    func getSamples() async throws {
        try await Self.withServer { client in
            #expect(try Self.samples(try await Self.post(client, "{}")).count == 1)
            #expect(try Self.samples(try await Self.post(client, "")).count == 1)
            #expect(try Self.samples(try await Self.post(client, #"{"n_samples": 0}"#)).isEmpty)
            let three = try Self.samples(try await Self.post(client, #"{"n_samples": 3}"#))
            #expect(three.count == 3)
            #expect(three.allSatisfy { $0.x >= 0 && $0.x < 1 })
            // A templated body sends numbers as strings; FastAPI accepts them, so do we.
            #expect(try Self.samples(try await Self.post(client, #"{"n_samples": "4"}"#)).count == 4)
        }
    }

    @Test("The same seed and line give the same samples; another seed or line does not")
    func seeds() async throws {
        try await Self.withServer { client in
            let first = try await Self.post(client, #"{"n_samples": 50, "seed": 123}"#)
            let again = try await Self.post(client, #"{"n_samples": 50, "seed": 123}"#)
            let other = try await Self.post(client, #"{"n_samples": 50, "seed": 124}"#)
            #expect(first.body == again.body)
            #expect(first.body != other.body)
            _ = try await Self.put(client, #"{"gradient": 5, "intercept": 1, "noise_sigma": 0.1}"#)
            let moved = try Self.samples(try await Self.post(client, #"{"n_samples": 50, "seed": 123}"#))
            let original = try Self.samples(first)
            #expect(moved.map(\.x) == original.map(\.x))
            #expect(moved.map(\.y) != original.map(\.y))
        }
    }

    @Test("PUT /put-line-params changes the line for later requests; GET /line-params shows it")
    func putLineParams() async throws {
        try await Self.withServer { client in
            let initial = try await client.execute(uri: "/line-params", method: .get)
            #expect(try jsonDictionary(initial.body) as NSDictionary == ["gradient": 1.0, "intercept": 0.0, "noise_sigma": 0.1])
            let put = try await Self.put(client, #"{"gradient": -1.0, "intercept": 100.0, "noise_sigma": 0.0}"#)
            #expect(put.status == .ok)
            #expect(try jsonDictionary(put.body) as NSDictionary == ["gradient": -1.0, "intercept": 100.0, "noise_sigma": 0.0])
            for sample in try Self.samples(try await Self.post(client, #"{"n_samples": 20}"#)) {
                #expect(abs(sample.y - (100 - sample.x)) < 1e-12)
            }
            let now = try await client.execute(uri: "/line-params", method: .get)
            #expect(try jsonDictionary(now.body) as NSDictionary == ["gradient": -1.0, "intercept": 100.0, "noise_sigma": 0.0])
        }
    }

    @Test(
        "Bad get-samples input gets 422 in FastAPI's shape",
        arguments: [
            (#"{"n_samples": -1}"#, ["body", "n_samples"], "greater_than_equal"),
            (#"{"n_samples": 1000001}"#, ["body", "n_samples"], "less_than_equal"),
            (#"{"n_samples": "ten"}"#, ["body", "n_samples"], "int_parsing"),
            (#"{"n_samples": 1.5}"#, ["body", "n_samples"], "int_from_float"),
            (#"{"n_samples": null}"#, ["body", "n_samples"], "int_type"),
            (#"{"n_samples": [3]}"#, ["body", "n_samples"], "int_type"),
            (#"{"n_samples": NaN}"#, ["body", "n_samples"], "finite_number"),
            (#"{"n_samples": 3"#, ["body", "15"], "json_invalid"),
            ("not json", ["body", "0"], "json_invalid"),
            ("[]", ["body"], "model_attributes_type"),
        ]
    )
    func badSamplesInput(body: String, loc: [String], type: String) async throws {
        try await Self.withServer { client in
            let issues = try Self.detail(try await Self.post(client, body))
            #expect(issues.count == 1)
            #expect(issues.first?.loc == loc)
            #expect(issues.first?.type == type)
            // Nothing changed: the service still answers.
            #expect(try Self.samples(try await Self.post(client, "{}")).count == 1)
        }
    }

    @Test(
        "Bad line input gets 422 and leaves the line unchanged",
        arguments: [
            (#"{"gradient": 2}"#, [["body", "intercept"], ["body", "noise_sigma"]], ["missing", "missing"]),
            (#"{"gradient": 2, "intercept": 0, "noise_sigma": -0.1}"#, [["body", "noise_sigma"]], ["greater_than_equal"]),
            (#"{"gradient": 2, "intercept": 0, "noise_sigma": NaN}"#, [["body", "noise_sigma"]], ["finite_number"]),
            (#"{"gradient": 2, "intercept": 0, "noise_sigma": Infinity}"#, [["body", "noise_sigma"]], ["finite_number"]),
            (#"{"gradient": Infinity, "intercept": 0, "noise_sigma": 1}"#, [["body", "gradient"]], ["finite_number"]),
            (#"{"gradient": 1, "intercept": -1e400, "noise_sigma": 1}"#, [["body", "intercept"]], ["finite_number"]),
            (#"{"gradient": "steep", "intercept": 0, "noise_sigma": 1}"#, [["body", "gradient"]], ["float_parsing"]),
            (
                #"{"gradient": {}, "intercept": false, "noise_sigma": 1}"#, [["body", "gradient"], ["body", "intercept"]],
                ["float_type", "float_type"]
            ),
            (
                #"{"gradient": 1e301, "intercept": -1.5e300, "noise_sigma": 2e300}"#,
                [["body", "gradient"], ["body", "intercept"], ["body", "noise_sigma"]], ["less_than_equal", "greater_than_equal", "less_than_equal"]
            ),
            ("", [["body"]], ["missing"]),
            (#"{"gradient": 1,"#, [["body", "15"]], ["json_invalid"]),
        ]
    )
    func badLineInput(body: String, locs: [[String]], types: [String]) async throws {
        try await Self.withServer { client in
            let issues = try Self.detail(try await Self.put(client, body))
            #expect(issues.map(\.loc) == locs)
            #expect(issues.map(\.type) == types)
            let line = try await client.execute(uri: "/line-params", method: .get)
            #expect(try jsonDictionary(line.body) as NSDictionary == ["gradient": 1.0, "intercept": 0.0, "noise_sigma": 0.1])
        }
    }

    @Test("The steepest, noisiest line allowed still gives only finite numbers")
    func extremeLineStaysFinite() async throws {
        try await Self.withServer { client in
            let line = try await Self.put(client, #"{"gradient": -1e300, "intercept": -1e300, "noise_sigma": 1e300}"#)
            #expect(line.status == .ok)
            let response = try await Self.post(client, #"{"n_samples": 10000, "seed": 6073}"#)
            #expect(!String(buffer: response.body).contains("null"))
            let samples = try Self.samples(response)
            #expect(samples.count == 10000)
        }
    }

    @Test("The cap on n_samples is configurable")
    func configurableCap() async throws {
        try await Self.withServer(SamplesConfiguration(maximumSamplesPerRequest: 10)) { client in
            #expect(try Self.samples(try await Self.post(client, #"{"n_samples": 10}"#)).count == 10)
            let response = try await Self.post(client, #"{"n_samples": 11}"#)
            let body = try jsonDictionary(response.body)
            let issue = (body["detail"] as? [[String: Any]])?.first
            #expect(issue?["msg"] as? String == "Input should be less than or equal to 10")
            #expect((issue?["ctx"] as? [String: Any])?["le"] as? Int == 10)
        }
    }

    @Test("An oversized body gets 413 and the server keeps serving")
    func oversizedBody() async throws {
        try await Self.withServer(SamplesConfiguration(maximumBodySize: 1024)) { client in
            let padding = String(repeating: " ", count: 2048)
            let response = try await Self.post(client, "{\(padding)}")
            #expect(response.status == .contentTooLarge)
            #expect((try jsonDictionary(response.body)["detail"] as? String)?.contains("1024 bytes") == true)
            let put = try await Self.put(client, String(repeating: "[", count: 5000))
            #expect(put.status == .contentTooLarge)
            #expect(try Self.samples(try await Self.post(client, "{}")).count == 1)
        }
    }

    @Test("Deeply nested JSON is rejected, not a crash")
    func deepNesting() async throws {
        try await Self.withServer { client in
            let body = #"{"n_samples": "# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
            let issues = try Self.detail(try await Self.post(client, body))
            #expect(issues.first?.type == "json_invalid")
        }
    }

    @Test("Unknown routes get 404 JSON; known routes with another method get 405 with Allow")
    func routing() async throws {
        try await Self.withServer { client in
            let missing = try await client.execute(uri: "/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(try jsonDictionary(missing.body) as NSDictionary == ["detail": "Not Found"])
            let wrongMethod = try await client.execute(uri: "/get-samples", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "POST")
            #expect(try jsonDictionary(wrongMethod.body) as NSDictionary == ["detail": "Method Not Allowed"])
            let deleteHello = try await client.execute(uri: "/hello", method: .delete)
            #expect(deleteHello.status == .methodNotAllowed)
        }
    }

    @Test("Large requests stream complete, valid JSON whose samples fit the line")
    func largeRequestStatistics() async throws {
        try await Self.withServer { client in
            _ = try await Self.put(client, #"{"gradient": 2.5, "intercept": -0.75, "noise_sigma": 0.2}"#)
            let response = try await Self.post(client, #"{"n_samples": 100000}"#)
            #expect(response.status == .ok)
            let samples = try Self.samples(response)
            #expect(samples.count == 100_000)
            let fit = fitLine(samples)
            #expect(abs(fit.slope - 2.5) < 0.012)
            #expect(abs(fit.intercept + 0.75) < 0.006)
            #expect(abs(fit.residualDeviation - 0.2) < 0.002)
        }
    }

    @Test("Concurrent line changes and reads never mix two lines")
    func concurrentPutAndGet() async throws {
        try await Self.withServer { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for k in 1...40 {
                    group.addTask {
                        // Every line written has gradient == intercept and no noise.
                        let put = try await Self.put(client, #"{"gradient": \#(k), "intercept": \#(k), "noise_sigma": 0}"#)
                        #expect(put.status == .ok)
                    }
                    group.addTask {
                        let line = try jsonDictionary(try await client.execute(uri: "/line-params", method: .get).body)
                        let gradient = line["gradient"] as? Double
                        let noise = line["noise_sigma"] as? Double
                        #expect(noise == 0.1 || gradient == line["intercept"] as? Double)
                    }
                    group.addTask {
                        let samples = try Self.samples(try await Self.post(client, #"{"n_samples": 2}"#))
                        let (a, b) = (samples[0], samples[1])
                        let slope = (b.y - a.y) / (b.x - a.x)
                        let intercept = a.y - slope * a.x
                        let sigma = abs(a.y - a.x)  // non-zero only for the default noisy line
                        if sigma > 1e-9, abs(slope - intercept) > 1e-6 {
                            // Default line (1, 0, 0.1): samples are noisy, so only check they are near it.
                            #expect(abs(a.y - a.x) < 1 && abs(b.y - b.x) < 1)
                        } else {
                            #expect(abs(slope - intercept) < 1e-6)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("GET /openapi.json is an OpenAPI 3.1 document of every endpoint")
    func openAPI() async throws {
        try await Self.withServer { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try jsonDictionary(response.body)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(Set(paths.keys) == ["/hello", "/get-samples", "/put-line-params", "/line-params", "/health", "/metrics"])
        }
    }

    @Test("GET /docs is a self-contained page: no external scripts, styles or fonts")
    func docsPage() async throws {
        try await Self.withServer { client in
            let response = try await client.execute(uri: "/docs", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            #expect(html.contains("/openapi.json"))
            #expect(!html.contains("src=\"http"))
            #expect(!html.contains("href=\"http"))
            #expect(!html.contains("@import"))
        }
    }

    @Test("GET /health answers ok")
    func health() async throws {
        try await Self.withServer { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(try jsonDictionary(response.body) as NSDictionary == ["status": "ok"])
        }
    }

    @Test("GET /metrics counts requests by route and status, with a latency histogram")
    func metrics() async throws {
        try await Self.withServer { client in
            _ = try await Self.post(client, #"{"n_samples": 5}"#)
            _ = try await Self.post(client, #"{"n_samples": -5}"#)
            _ = try await client.execute(uri: "/missing", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"http_requests_total{method="POST",route="/get-samples",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{method="POST",route="/get-samples",status="422"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="NotFound",status="404"} 1"#))
            #expect(text.contains(#"http_request_duration_seconds_bucket{method="POST",route="/get-samples",status="200",le="+Inf"} 1"#))
            #expect(text.contains("samples_generated_total 5"))
        }
    }

    @Test("Requests are logged with method, path and status")
    func requestLogging() async throws {
        let capture = LogCapture()
        try await Self.withServer(logger: capture.logger()) { client in
            _ = try await Self.post(client, #"{"n_samples": 2}"#)
            _ = try await Self.put(client, #"{"gradient": 1, "intercept": 2, "noise_sigma": 0}"#)
        }
        #expect(capture.messages.contains("info POST /get-samples 200"))
        #expect(capture.messages.contains("info PUT /put-line-params 200"))
        #expect(capture.messages.contains("info Line changed"))
    }
}
