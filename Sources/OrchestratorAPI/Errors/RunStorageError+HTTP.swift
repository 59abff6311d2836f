import HTTPSupport
public import Hummingbird
public import RunStorage

/// A run storage failure as the worker API answers it: 404 for a file not stored, 413 past the
/// output limit, 400 for a path that cannot be one, 500 when the storage fails.
extension RunStorageError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .invalidPath: .badRequest
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try FastAPIError(status: status, message: message).response(from: request, context: context)
    }
}
