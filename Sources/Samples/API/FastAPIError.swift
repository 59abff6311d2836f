public import JSON
public import Hummingbird
import Logging
import NIOCore
import HTTPSupport

/// One entry of a FastAPI validation error: where (`loc`), what (`type`) and a message (`msg`).
public struct ValidationIssue: Sendable, Equatable {
    /// Path to the offending value: `["body", "n_samples"]`, or `["body", 14]` for a JSON syntax error.
    public var location: [LocationPart]
    /// Pydantic's error type, e.g. `missing`, `int_parsing`, `greater_than_equal`.
    public var type: String
    public var message: String
    /// The value that was rejected, echoed back as FastAPI does.
    public var input: JSONValue
    /// Extra facts, e.g. `{"ge": 0}` for a lower bound.
    public var context: [String: JSONValue]

    public enum LocationPart: Sendable, Equatable {
        case key(String)
        case offset(Int)
    }

    public init(location: [LocationPart], type: String, message: String, input: JSONValue, context: [String: JSONValue] = [:]) {
        self.location = location
        self.type = type
        self.message = message
        self.input = input
        self.context = context
    }
}

/// An error of the samples API, rendered in FastAPI's shape: `{"detail": "…"}` for plain HTTP
/// errors and `{"detail": [issue, …]}` with status 422 for invalid input.
///
/// This type and ``FastAPIErrorMiddleware`` are the one place where the samples service maps errors
/// to HTTP.
public struct SamplesAPIError: HTTPResponseError, Sendable {
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

    /// A 422 listing what is wrong with the request.
    public static func invalid(_ issues: [ValidationIssue]) -> SamplesAPIError {
        var error = SamplesAPIError(status: .unprocessableContent, message: "")
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

extension ValidationIssue {
    /// Writes the issue with FastAPI's key order: type, loc, msg, input, ctx.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"type":"#)
        buffer.writeJSONString(type)
        buffer.writeStaticString(#","loc":["#)
        for (offset, part) in location.enumerated() {
            if offset > 0 { buffer.writeStaticString(",") }
            switch part {
            case .key(let key): buffer.writeJSONString(key)
            case .offset(let position): buffer.writeString(String(position))
            }
        }
        buffer.writeStaticString(#"],"msg":"#)
        buffer.writeJSONString(message)
        buffer.writeStaticString(#","input":"#)
        buffer.writeJSON(input)
        if !context.isEmpty {
            buffer.writeStaticString(#","ctx":"#)
            buffer.writeJSON(.object(context))
        }
        buffer.writeStaticString("}")
    }
}

/// Renders every error thrown by the samples routes, or by routing itself, in FastAPI's shape.
public struct FastAPIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SamplesAPIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            return try SamplesAPIError(status: error.status, message: message, headers: error.headers)
                .response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try SamplesAPIError(status: .contentTooLarge, message: "Request body is too large")
                .response(from: request, context: context)
        } catch {
            context.logger.error("Unexpected error: \(String(reflecting: error))")
            return try SamplesAPIError(status: .internalServerError, message: "Internal Server Error")
                .response(from: request, context: context)
        }
    }
}
