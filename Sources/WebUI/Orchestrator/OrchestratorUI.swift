import Foundation
import HTTPSupport
public import Hummingbird
import NIOCore
public import OrchestratorAPI
import OrchestratorDatabase
import TaskExecution
import Workflow

/// The orchestrator's web UI, on the orchestrator's own port: login, DAGs, grid, graph, code,
/// trigger with config, runs, task instances with their logs. Roles as in the REST API: viewers
/// look, ops act, admins manage.
public struct OrchestratorUI: Sendable {
    let orchestration: Orchestration
    let pages: WebPages
    let folders: OrchestratorFolders

    public init(orchestration: Orchestration, configuration: OrchestratorConfiguration) throws {
        self.orchestration = orchestration
        folders = configuration.folders
        pages = try WebPages()
    }

    var store: OrchestratorStore { orchestration.store }

    /// Adds the UI's routes (outside `/api`).
    public func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let ui = self
        HTML.addAssets(to: router)
        let open = router.group().add(middleware: UIErrorMiddleware(pages: pages))
        open.get("/login") { request, context in try await ui.loginPage(request, context, error: nil) }
        open.post("/login") { request, context in try await ui.login(request, context) }
        let pages = router.group().add(middleware: UIErrorMiddleware(pages: self.pages)).add(middleware: UISessionMiddleware(store: store))
        pages.get("/") { _, _ in HTML.redirect("/dags") }
        pages.post("/logout") { request, context in
            if let session = context.uiSession { try await ui.store.deleteSession(session.id) }
            return HTML.redirect("/login", cookies: [Cookies.make(UISessionMiddleware.cookie, "", maxAge: 0, request: request)])
        }
        addDAGRoutes(to: pages)
        addRunRoutes(to: pages)
        addAdminRoutes(to: pages)
    }

    /// What every page's layout needs: who is logged in, their CSRF token, the tracking UI.
    func base(_ context: OrchestratorRequestContext) async -> [String: Any] {
        var values: [String: Any] = [:]
        if let identity = context.identity, let session = context.uiSession {
            values["session"] =
                [
                    "username": identity.username, "role": identity.role.rawValue, "csrf": session.csrfToken, "is_admin": identity.role >= .admin,
                ] as [String: Any]
        }
        var nav: [[String: String]] = []
        if let identity = context.identity, context.uiSession != nil {
            nav = [["href": "/dags", "label": "DAGs"], ["href": "/workers", "label": "Workers"]]
            if identity.role >= .admin { nav += [["href": "/variables", "label": "Variables"], ["href": "/users", "label": "Users"]] }
        }
        if let tracking = try? await store.variable("tracking_uri").value {
            values["tracking_url"] = tracking
            nav.append(["href": tracking, "label": "Tracking"])
        }
        values["nav"] = nav
        return values
    }

    func render(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        HTML.page(pages.render(name, values), status: status, cookies: cookies)
    }

    // MARK: Login

    static let loginCookie = "flowline_login_csrf"

    func loginPage(
        _ request: Request,
        _ context: OrchestratorRequestContext,
        error: String?,
        username: String = "",
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let token = Cookies.value(Self.loginCookie, in: request).flatMap { $0.count == 32 ? $0 : nil } ?? Self.randomHex(16)
        let next = PageQuery(request)["next"] ?? ""
        var values = await base(context)
        values["login_csrf"] = token
        values["next"] = next
        values["username"] = username
        if let error { values["error"] = error }
        return render("login", values, status: status, cookies: [Cookies.make(Self.loginCookie, token, maxAge: 3600, request: request)])
    }

    func login(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let form = try await FormData.read(request)
        let username = form["username"] ?? ""
        let password = form["password"] ?? ""
        guard let cookie = Cookies.value(Self.loginCookie, in: request), let token = form["csrf_token"], ConstantTime.equal(cookie, token) else {
            return try await loginPage(request, context, error: "The login form expired; please try again.", username: username, status: .forbidden)
        }
        await orchestration.waitUntilStarted()
        guard !username.isEmpty, !password.isEmpty else {
            return try await loginPage(request, context, error: "Enter a username and a password.", username: username, status: .unauthorized)
        }
        let user: User
        do {
            user = try await store.login(username, password: password, address: context.clientAddress)
        } catch AuthError.throttled(let wait) {
            return try await loginPage(
                request,
                context,
                error: "Too many failed logins; try again in \(wait) s.",
                username: username,
                status: .tooManyRequests
            )
        } catch AuthError.invalidCredentials {
            return try await loginPage(request, context, error: "Wrong username or password.", username: username, status: .unauthorized)
        } catch AuthError.busy {
            return try await loginPage(
                request,
                context,
                error: "Too many logins at once; try again in a second.",
                username: username,
                status: .serviceUnavailable
            )
        }
        let session = try await store.createSession(for: user.username)
        let next = form["next"].flatMap(Self.localPath) ?? "/dags"
        return HTML.redirect(
            next,
            cookies: [
                Cookies.make(UISessionMiddleware.cookie, session.id, maxAge: Int(OrchestratorStore.sessionLifetime), request: request),
                Cookies.make(Self.loginCookie, "", maxAge: 0, request: request),
            ]
        )
    }

    /// `path` when it stays on this site (`/dags/x`), `nil` for anything a browser could read as
    /// another host (`//evil`, `/\\evil`, `https:…`, or `/<TAB>/evil`, whose TAB browsers drop):
    /// printable ASCII only, no backslash, one leading `/`, at most 2,000 characters.
    static func localPath(_ path: String) -> String? {
        let printable = path.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }
        guard printable, path.count <= 2_000, path.hasPrefix("/"), !path.hasPrefix("//") else { return nil }
        return path
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Renders errors of the UI's routes as HTML pages (the API's routes keep their JSON).
struct UIErrorMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as UIError {
            return page(error.status, error.message, context)
        } catch let error as OrchestratorError {
            return page(error.status, error.message, context)
        } catch let error as AuthError {
            // The REST API's role rule (`context.require`), shown as a page.
            guard case .forbidden(let needed) = error else { return page(.unauthorized, "Log in first.", context) }
            let caller = context.identity.map { "; you are \($0.username) (\($0.role.rawValue))" } ?? ""
            return page(.forbidden, "This needs the \(needed.rawValue) role\(caller).", context)
        } catch let error as HTTPError {
            return page(error.status, error.body ?? error.status.reasonPhrase, context)
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String, _ context: Context) -> Response {
        var values: [String: Any] = ["status": "\(status.code) \(status.reasonPhrase)", "message": message]
        if let identity = context.identity, let session = context.uiSession {
            values["session"] = ["username": identity.username, "role": identity.role.rawValue, "csrf": session.csrfToken] as [String: Any]
        }
        return HTML.page(pages.render("error", values), status: status)
    }
}
