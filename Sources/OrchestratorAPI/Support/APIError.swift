import Foundation
import JSON
import Hummingbird
import NIOCore
import OrchestratorDatabase
import Workflow
import HTTPSupport

/// A request the API refuses in FastAPI's validation shape (422).
struct APIError: Error {
    var status: HTTPResponse.Status
    var body: JSONValue

    static func validation(type: String, location: [JSONValue], message: String, input: JSONValue, context: [String: JSONValue] = [:]) -> APIError {
        var issue: [String: JSONValue] = ["type": .string(type), "loc": .array(location), "msg": .string(message), "input": input]
        if !context.isEmpty { issue["ctx"] = .object(context) }
        return APIError(status: .unprocessableContent, body: .object(["detail": .array([.object(issue)])]))
    }
}
