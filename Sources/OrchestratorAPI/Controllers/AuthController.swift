import Foundation
import HTTPSupport
import Hummingbird
import JSON
import Logging
import NIOCore
import OrchestratorDatabase
import Workflow

/// `POST /auth/token`: a login with username and password (JSON or a form) gives a token.
struct AuthController {
    let tokens: TokenService
    let store: OrchestratorStore
    /// Waits until the first admin exists (a login racing the server's start would fail).
    let ready: @Sendable () async -> Void

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let tokens = tokens
        let store = store
        let ready = ready
        router.post("/auth/token") { request, context -> Response in
            await ready()
            let (username, password) = try await Self.credentials(request)
            let user: User
            do {
                user = try await store.login(username, password: password, address: context.clientAddress)
            } catch AuthError.invalidCredentials {
                context.logger.notice("Failed login for \(username) from \(context.clientAddress)")
                throw AuthError.invalidCredentials
            }
            let token = try await tokens.issue(for: user)
            let body = JSONValue.object(["access_token": .string(token), "token_type": .string("bearer")]).jsonText
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// Username and password from a JSON body or an HTML form.
    static func credentials(_ request: Request) async throws -> (String, String) {
        let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
        var fields: [String: String] = [:]
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            var request = request
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            for (name, value) in FormURLEncoded.pairs(String(buffer: buffer)) where !name.isEmpty && !value.isEmpty {
                fields[name] = value
            }
        } else if contentType.hasPrefix("application/json") {
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "LoginBody")
            for (key, value) in body {
                if case .string(let text) = value { fields[key] = text }
            }
        } else {
            throw OrchestratorError.unsupportedMediaType("Send the credentials as application/json or application/x-www-form-urlencoded")
        }
        guard let username = fields["username"], let password = fields["password"], !username.isEmpty, !password.isEmpty else {
            throw OrchestratorError.invalid("Username and password must be provided")
        }
        return (username, password)
    }
}
