import HTTPSupport
public import Hummingbird
public import Workflow

/// An orchestrator error as Airflow's API answers it: `{"detail": "…"}` with the error's status.
extension OrchestratorError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .invalid: .badRequest
        case .conflict: .conflict
        case .unsupportedMediaType: .unsupportedMediaType
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try FastAPIError(status: status, message: message).response(from: request, context: context)
    }
}
