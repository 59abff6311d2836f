public import HTTPTypes
public import Hummingbird

extension Router {
    /// The methods a client may reasonably try on any path (QUERY: the HTTP draft's safe query method).
    static var commonMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .patch, .delete, .options, .trace] + [HTTPRequest.Method("QUERY")].compactMap { $0 }
    }

    /// Makes every common method that `allowed` does not list answer `405 Method Not Allowed` on
    /// `path`, with an `Allow` header, instead of the router's default 404.
    ///
    /// The error is thrown, so the API's own error middleware renders it in that API's shape.
    @discardableResult
    public func rejectOtherMethods(on path: RouterPath, allowing allowed: [HTTPRequest.Method]) -> Self {
        var allowedNames = allowed.map(\.rawValue)
        if allowed.contains(.get), !allowed.contains(.head) { allowedNames.append("HEAD") }
        let allowHeader = allowedNames.joined(separator: ", ")
        for method in Self.commonMethods where !allowed.contains(method) {
            if method == .head, allowed.contains(.get) { continue }
            on(path, method: method) { _, _ -> Response in
                throw HTTPError(.methodNotAllowed, headers: [.allow: allowHeader])
            }
        }
        return self
    }
}
