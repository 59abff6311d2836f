import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The page templates, compiled once: Mustache, so every `{{value}}` is HTML-escaped.
public struct WebPages: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", LayoutTemplate.text), ("login", LoginTemplate.text), ("error", ErrorTemplate.text),
            ("dags", DAGsTemplate.text), ("dag", DAGTemplate.text), ("trigger", TriggerTemplate.text),
            ("run", RunTemplate.text), ("task", TaskInstanceTemplate.text),
            ("experiments", ExperimentsTemplate.text), ("experiment", ExperimentTemplate.text), ("tracking-run", TrackingRunTemplate.text),
            ("models", ModelsTemplate.text), ("model", ModelTemplate.text),
            ("compare", CompareTemplate.text), ("artifact", ArtifactTemplate.text), ("artifact-entry", ArtifactEntryTemplate.text),
            ("workers", WorkersTemplate.text), ("variables", VariablesTemplate.text), ("users", UsersTemplate.text),
        ]
        for (name, text) in templates { try library.register(text, named: name) }
        self.library = library
    }

    /// The page `name` with `context`.
    func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? "template \(name) is missing"
    }
}

/// Responses of the web pages.
enum HTML {
    /// Pages load nothing from elsewhere, run no inline script, and cannot be framed.
    static func addSecurityHeaders(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        headers[.cacheControl] = "no-store"
        if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
    }

    static func page(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        addSecurityHeaders(to: &headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 See Other to `location` (after a form post, and to the login page).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// `GET /static/flowline.css` and `/static/flowline.js`, which both UIs' pages load.
    static func addAssets<Context: RequestContext>(to router: Router<Context>) {
        for (path, text, type) in [
            ("/static/flowline.css", Stylesheet.css, "text/css; charset=utf-8"),
            ("/static/flowline.js", Script.javascript, "text/javascript; charset=utf-8"),
        ] {
            router.get(RouterPath(stringLiteral: path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: type, .cacheControl: "public, max-age=300"],
                    body: .init(byteBuffer: ByteBuffer(string: text))
                )
            }
        }
    }

    /// A path segment, percent-encoded (run ids hold `:` and `+`).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
