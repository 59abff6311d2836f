public import Hummingbird
import NIOCore

extension Router {
    /// `GET /health`: `{"status":"ok"}` while the service answers requests.
    @discardableResult
    public func addHealthRoute(path: RouterPath = "/health") -> Self {
        get(path) { _, _ in
            Response.json(#"{"status":"ok"}"#)
        }
        return rejectOtherMethods(on: path, allowing: [.get])
    }

    /// `GET /metrics`: the service's metrics in Prometheus' text format.
    @discardableResult
    public func addMetricsRoute(_ metrics: HTTPMetrics, path: RouterPath = "/metrics") -> Self {
        get(path) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
            )
        }
        return rejectOtherMethods(on: path, allowing: [.get])
    }

    /// `GET /openapi.json` serving `document`, and `GET /docs`: interactive API documentation that
    /// renders the document and sends requests from the browser, with no external resources.
    @discardableResult
    public func addOpenAPIRoutes(document: String, title: String, documentPath: RouterPath = "/openapi.json", docsPath: RouterPath = "/docs") -> Self
    {
        let page = APIDocsPage.html(title: title, documentURL: documentPath.description)
        get(documentPath) { _, _ in
            Response.json(document)
        }
        get(docsPath) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: page))
            )
        }
        rejectOtherMethods(on: documentPath, allowing: [.get])
        return rejectOtherMethods(on: docsPath, allowing: [.get])
    }
}

extension Response {
    /// A response with a JSON body that is already encoded.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        json(ByteBuffer(string: text), status: status)
    }

    /// A response with a JSON body that is already encoded.
    public static func json(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }
}
