import Hummingbird
import NIOCore
import NIOEmbedded
import TestSupport
import Testing

@testable import HTTPSupport

@Suite("The request guard")
struct RequestGuardMiddlewareTests {
    @Test("A refused Host is told which flag allows it, never the allowed names; the log has them")
    func refusedHost() async throws {
        let capture = LogCapture()
        let middleware = RequestGuardMiddleware<BasicRequestContext>(
            allowedHosts: HostPatterns(["internal.lab.example", "10.*"]),
            trustedOrigins: []
        )
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "evil.example", path: "/"),
            body: RequestBody(buffer: ByteBuffer())
        )
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: capture.logger()))
        var refusal: HTTPError?
        do {
            _ = try await middleware.handle(request, context: context) { _, _ in Response(status: .ok) }
        } catch let error as HTTPError {
            refusal = error
        }
        let error = try #require(refusal)
        let body = error.body ?? ""
        #expect(error.status == .forbidden)
        #expect(body.contains("evil.example") && body.contains("--allowed-hosts"), "\(body)")
        #expect(!body.contains("internal.lab.example") && !body.contains("10.*"), "\(body)")
        #expect(capture.messages.contains { $0.contains("internal.lab.example, 10.*") }, "\(capture.messages)")
    }
}
