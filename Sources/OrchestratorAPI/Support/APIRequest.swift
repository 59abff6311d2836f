import Foundation
import HTTPSupport
import Hummingbird
import JSON
import NIOCore
import OrchestratorDatabase
import Workflow

/// Reading Airflow-style request bodies.
enum APIRequest {
    static let maximumBodySize = 1 << 20

    /// The body as a JSON object.
    /// - Parameter limit: the most bytes the body may have (``maximumBodySize`` by default).
    static func jsonObject(_ request: Request, limit: Int = maximumBodySize) async throws -> [String: JSONValue] {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else {
            throw FastAPIError.validation(type: "missing", location: ["body"], message: "Field required", input: .null)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw FastAPIError.validation(
                type: "json_invalid",
                location: ["body", .offset(0)],
                message: "JSON decode error",
                input: .object([:]),
                context: ["error": .string("\(error)")]
            )
        }
        guard case .object(let members) = value else {
            throw FastAPIError.validation(
                type: "model_attributes_type",
                location: ["body"],
                message: "Input should be a valid dictionary or object to extract fields from",
                input: value
            )
        }
        return members
    }

    /// A string field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func string(_ body: [String: JSONValue], _ field: String) -> String? {
        if case .string(let text)? = body[field] { text } else { nil }
    }

    /// A boolean field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func bool(_ body: [String: JSONValue], _ field: String) -> Bool? {
        if case .bool(let flag)? = body[field] { flag } else { nil }
    }

    /// A `date-time` field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func date(_ body: [String: JSONValue], _ field: String) -> Date? {
        string(body, field).flatMap(DateText.parse)
    }

    /// `text`, unless it holds a NUL character, which SQLite would cut and PostgreSQL cannot store
    /// (for fields of any JSON type, which the schema cannot check).
    static func storable(_ text: String, field: String) throws -> String {
        guard !text.utf8.contains(0) else {
            throw FastAPIError.validation(
                type: "value_error",
                location: ["body", .key(field)],
                message: "Value error, the text holds a NUL character (\\u0000), which cannot be stored",
                input: .string(text)
            )
        }
        return text
    }
}
