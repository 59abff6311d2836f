/// Authentication and authorization failures, as Airflow's API answers them.
public enum AuthError: Error, Equatable {
    /// 401 `{"detail": "Not authenticated"}`.
    case notAuthenticated
    /// 401 `{"detail": "Invalid JWT token"}`: unsigned, expired, or for a user that is gone.
    case invalidToken
    /// 401: no live worker token (the worker API at `/edge_worker/v1`).
    case invalidWorkerToken
    /// 403 `{"detail": "Forbidden"}`.
    case forbidden(needed: Role)
    /// 401 `{"detail": "Invalid credentials"}`.
    case invalidCredentials
    /// 429: too many failed logins.
    case throttled(retryAfter: Int)
    /// 503: too many logins are waiting for their password to be checked.
    case busy
}
