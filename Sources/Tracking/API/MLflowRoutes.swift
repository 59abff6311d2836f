import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import NIOCore

/// Registers MLflow API handlers under `/api/2.0/mlflow` and the UI's `/ajax-api/2.0/mlflow`, and
/// makes other methods on those paths answer 405.
struct MLflowRoutes<Context: RequestContext> {
    static var prefixes: [String] { ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"] }

    let router: Router<Context>
    private var methods: [String: [HTTPRequest.Method]] = [:]

    init(router: Router<Context>) {
        self.router = router
    }

    /// Adds `handler` for `method` on `path` (relative to the API prefix); it returns the response's
    /// JSON body, `{}` for endpoints without one. Path parameters (`{model_id}`) are added to the
    /// request's fields.
    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (MLflowRequest) async throws -> JSONValue) {
        addEncoded(method, path) { request in
            var buffer = ByteBuffer()
            buffer.writeJSON(try await handler(request))
            return buffer
        }
    }

    /// Adds `handler` for `method` on `path`, like ``add(_:_:_:)``, for handlers that write their
    /// JSON body straight into a buffer (see ``JSONWriter``): the large responses.
    mutating func addEncoded(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (MLflowRequest) async throws -> ByteBuffer)
    {
        let parameterNames = path.split(separator: "/").compactMap { segment -> String? in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
        for prefix in Self.prefixes {
            let fullPath = prefix + path
            router.on(RouterPath(fullPath), method: method) { request, context -> Response in
                let parsed = try await MLflowRequest.read(request)
                var fields = parsed.fields
                for name in parameterNames {
                    if let value = context.parameters.get(name) {
                        fields[name] = .string(try MLflowRequest.checked(name, value.removingPercentEncoding ?? value))
                    }
                }
                return .json(try await handler(MLflowRequest(fields: fields, bodySize: parsed.bodySize)))
            }
            methods[fullPath, default: []].append(method)
        }
    }

    /// Makes the paths answer 405 to methods they were not given.
    func finish() {
        for (path, allowed) in methods {
            router.rejectOtherMethods(on: RouterPath(path), allowing: allowed)
        }
    }
}
