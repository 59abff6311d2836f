import Foundation
import HTTPSupport
import Hummingbird
import OrchestratorAPI
import OrchestratorDatabase

/// Guards the web UI's pages: a request needs a live session cookie (else a GET is sent to the
/// login page and a POST refused), and a POST must carry the session's CSRF token.
struct UISessionMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext
    static let cookie = "flowline_session"

    let store: OrchestratorStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let id = Cookies.value(Self.cookie, in: request), let (session, user) = try await store.session(id) else {
            if request.method == .get || request.method == .head {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return HTML.redirect("/login?next=" + HTML.segment(target))
            }
            return HTML.redirect("/login")
        }
        var context = context
        context.identity = Identity(username: user.username, role: user.role)
        context.uiSession = session
        if request.method == .post {
            var request = request
            let form = try await FormData.read(&request)
            guard let token = form["csrf_token"], ConstantTime.equal(token, session.csrfToken) else {
                throw UIError(.forbidden, "The form is out of date or was not sent by this site (missing CSRF token). Reload the page and try again.")
            }
            return try await next(request, context)
        }
        return try await next(request, context)
    }
}

/// A page that cannot be shown, with what to do; rendered as an HTML error page.
struct UIError: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}
