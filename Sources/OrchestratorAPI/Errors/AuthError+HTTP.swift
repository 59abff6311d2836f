import HTTPSupport
public import Hummingbird
public import OrchestratorDatabase

/// Authentication and authorization failures as Airflow's API answers them: 401 with
/// `WWW-Authenticate: Bearer`, 403 naming the role needed, 429 and 503 with `Retry-After`.
extension AuthError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .notAuthenticated, .invalidToken, .invalidCredentials, .invalidWorkerToken: .unauthorized
        case .forbidden: .forbidden
        case .throttled: .tooManyRequests
        case .busy: .serviceUnavailable
        }
    }

    public var headers: HTTPFields {
        switch self {
        case .notAuthenticated, .invalidToken, .invalidWorkerToken: [.wwwAuthenticate: "Bearer"]
        case .throttled(let seconds): [.retryAfter: String(seconds)]
        case .busy: [.retryAfter: "1"]
        case .forbidden, .invalidCredentials: [:]
        }
    }

    /// What the `detail` says.
    public var detail: String {
        switch self {
        case .notAuthenticated: "Not authenticated"
        case .invalidToken: "Invalid JWT token"
        case .invalidWorkerToken: "Invalid or revoked worker token: an admin creates one with `flowline workers token create NAME`"
        case .forbidden(let needed): "Forbidden: this needs the \(needed.rawValue) role"
        case .invalidCredentials: "Invalid credentials"
        case .throttled(let seconds): "Too many failed logins; try again in \(seconds) s"
        case .busy: "Too many logins at once; try again in a second"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try FastAPIError(status: status, message: detail, headers: headers).response(from: request, context: context)
    }
}
