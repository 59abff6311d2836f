public import Hummingbird
public import JSON
import Logging
import NIOCore

/// An error in FastAPI's shape, as the samples service and Airflow's API answer them:
/// `{"detail": "…"}` for plain HTTP errors and `{"detail": [issue, …]}` with status 422 for
/// invalid input. With ``FastAPIErrorMiddleware``, the one way both services' errors become HTTP.
public struct FastAPIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var detail: Detail

    public enum Detail: Sendable {
        case message(String)
        case issues([ValidationIssue])
    }

    public init(status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.headers = headers
        self.detail = .message(message)
    }

    /// A 422 for one value that is wrong: Pydantic's error `type`, where it is, and why.
    public static func validation(
        type: String,
        location: [ValidationIssue.LocationPart],
        message: String,
        input: JSONValue,
        context: [String: JSONValue] = [:]
    ) -> FastAPIError {
        .invalid([ValidationIssue(location: location, type: type, message: message, input: input, context: context)])
    }

    /// A 422 listing what is wrong with the request.
    public static func invalid(_ issues: [ValidationIssue]) -> FastAPIError {
        var error = FastAPIError(status: .unprocessableContent, message: "")
        error.detail = .issues(issues)
        return error
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"detail":"#)
        switch detail {
        case .message(let message):
            buffer.writeJSONString(message)
        case .issues(let issues):
            buffer.writeStaticString("[")
            for (offset, issue) in issues.enumerated() {
                if offset > 0 { buffer.writeStaticString(",") }
                issue.write(into: &buffer)
            }
            buffer.writeStaticString("]")
        }
        buffer.writeStaticString("}")
        return .json(buffer, status: status, headers: headers)
    }
}
