public import JSON
import NIOCore

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

    public enum LocationPart: Sendable, Equatable, ExpressibleByStringLiteral {
        case key(String)
        case offset(Int)

        public init(stringLiteral value: String) {
            self = .key(value)
        }
    }

    public init(location: [LocationPart], type: String, message: String, input: JSONValue, context: [String: JSONValue] = [:]) {
        self.location = location
        self.type = type
        self.message = message
        self.input = input
        self.context = context
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
