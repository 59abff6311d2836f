public import HTTPSupport
public import Hummingbird
import JSON
import Logging
import NIOCore
import Prometheus

/// The routes of the line-samples service, wire-compatible with the original FastAPI app.
public struct SamplesController: Sendable {
    let state: LineState
    let configuration: SamplesConfiguration
    let samplesGenerated: Counter

    public init(state: LineState, configuration: SamplesConfiguration, metrics: HTTPMetrics) {
        self.state = state
        self.configuration = configuration
        self.samplesGenerated = metrics.registry.makeCounter(
            descriptor: .init(metricName: "samples_generated", unitName: "total", helpText: "Samples generated for clients.")
        )
    }

    /// Adds the service's routes to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/hello") { _, _ in
            Response.json(#"{"message":"Hello"}"#)
        }
        router.post("/get-samples") { request, context in
            try await getSamples(request, context: context)
        }
        router.put("/put-line-params") { request, context in
            try await putLineParams(request, context: context)
        }
        router.get("/line-params") { _, _ in
            Response.json(Self.json(of: state.current))
        }
        router.rejectOtherMethods(on: "/hello", allowing: [.get])
        router.rejectOtherMethods(on: "/get-samples", allowing: [.post])
        router.rejectOtherMethods(on: "/put-line-params", allowing: [.put])
        router.rejectOtherMethods(on: "/line-params", allowing: [.get])
    }

    func getSamples(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await readBody(request)
        let parsed = try GetSamplesRequest.decode(body, maximumCount: configuration.maximumSamplesPerRequest)
        let line = state.current
        let sampler = parsed.seed.map { LineSampler(line: line, seed: $0) } ?? LineSampler(line: line)
        samplesGenerated.increment(by: Int64(parsed.count))
        return SamplesResponse.make(count: parsed.count, sampler: sampler)
    }

    func putLineParams(_ request: Request, context: some RequestContext) async throws -> Response {
        let line = try LineParameters.decode(try await readBody(request))
        state.replace(with: line)
        context.logger.info(
            "Line changed",
            metadata: [
                "gradient": "\(line.gradient)", "intercept": "\(line.intercept)", "noise_sigma": "\(line.noiseSigma)",
            ]
        )
        return Response.json(Self.json(of: line))
    }

    /// The request body, at most `maximumBodySize` bytes.
    /// - Throws: ``FastAPIError`` 413 when the body is larger.
    private func readBody(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maximumBodySize
        let tooLarge = FastAPIError(status: .contentTooLarge, message: "Request body is too large: the limit is \(limit) bytes")
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }

    static func json(of line: LineParameters) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"gradient":"#)
        buffer.writeJSONNumber(line.gradient)
        buffer.writeStaticString(#","intercept":"#)
        buffer.writeJSONNumber(line.intercept)
        buffer.writeStaticString(#","noise_sigma":"#)
        buffer.writeJSONNumber(line.noiseSigma)
        buffer.writeStaticString("}")
        return buffer
    }
}
