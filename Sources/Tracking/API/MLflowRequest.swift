import Foundation
import HTTPSupport
import Hummingbird
import JSON
import NIOCore

/// The fields of an MLflow API request, from a JSON body (POST, PATCH, DELETE) or from the query
/// string (GET), read as MLflow's proto-JSON parser reads them.
///
/// Lenient where MLflow is: unknown fields are ignored, an empty body counts as `{}`, a body
/// double-encoded as a JSON string (old clients) is read again, int64 fields may be numbers or
/// numeric strings, doubles may be `"NaN"`/`"Infinity"`. Strict where MLflow is: required fields,
/// and values of the wrong type, are INVALID_PARAMETER_VALUE. Stricter than MLflow: a write with a
/// body must say `Content-Type: application/json` (so a web page cannot send one as a plain form)
/// and carry JSON (MLflow reads anything else as `{}`), and no text may hold a NUL character, which
/// neither database keeps.
struct MLflowRequest: Sendable {
    let fields: [String: JSONValue]
    /// The size of the request body in bytes (0 for GET).
    let bodySize: Int

    /// The most bytes a request body may have.
    static let maximumBodySize = 16 * 1024 * 1024

    init(fields: [String: JSONValue], bodySize: Int = 0) {
        self.fields = fields
        self.bodySize = bodySize
    }

    /// Reads the request's fields: its query string for GET, else its JSON body.
    static func read(_ request: Request) async throws -> MLflowRequest {
        if request.method == .get || request.method == .head {
            var fields: [String: JSONValue] = [:]
            for (name, text) in FormURLEncoded.pairs(request.uri.query ?? "") {
                let value = JSONValue.string(text)
                switch fields[name] {
                case nil: fields[name] = value
                case .array(let values)?: fields[name] = .array(values + [value])
                case let existing?: fields[name] = .array([existing, value])
                }
            }
            return MLflowRequest(fields: fields)
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw TrackingError(.badRequest, "The request body is larger than \(maximumBodySize) bytes.")
        }
        let bytes = Array(buffer.readableBytesView)
        // An empty body needs no content type; any other must say it is JSON.
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            return MLflowRequest(fields: [:], bodySize: bytes.count)
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
            throw TrackingError.invalid(
                "Send the request as JSON with 'Content-Type: application/json'\(contentType.isEmpty ? "" : ", not '\(contentType.prefix(100))'")."
            )
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw TrackingError.invalid("The request body is not valid JSON: \(error)")
        }
        switch parsed {
        case .object(let fields):
            return MLflowRequest(fields: fields, bodySize: bytes.count)
        case .string(let text):
            // Old clients double-encode the body as a JSON string.
            guard case .object(let fields)? = try? JSONParser.parse(Array(text.utf8)) else { fallthrough }
            return MLflowRequest(fields: fields, bodySize: bytes.count)
        default:
            throw TrackingError.invalid("The request body must be a JSON object, not \(parsed.typeName).")
        }
    }

    static func missing(_ name: String) -> TrackingError {
        .missingParameter(name)
    }

    static func wrongType(_ name: String, _ value: JSONValue, expected: String) -> TrackingError {
        .invalid("Invalid value \(value.shortDescription) for parameter '\(name)' supplied: expected \(expected).")
    }

    /// Refuses text that holds a NUL character: SQLite would cut it there and PostgreSQL cannot
    /// store it.
    static func checked(_ name: String, _ text: String) throws(TrackingError) -> String {
        guard !text.utf8.contains(0) else {
            throw .invalid("Invalid value for parameter '\(name)': it contains a NUL character (\\u0000), which cannot be stored.")
        }
        return text
    }

    /// A string field, or `nil` when absent or null.
    func string(_ name: String) throws(TrackingError) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let value)?: return try Self.checked(name, value)
        case .number(let number)?: return number.literal
        case .bool(let flag)?: return flag ? "true" : "false"
        case let value?: throw Self.wrongType(name, value, expected: "a string")
        }
    }

    /// A required string field; an empty string counts as missing, as in MLflow.
    func requiredString(_ name: String) throws(TrackingError) -> String {
        guard let value = try string(name), !value.isEmpty else { throw Self.missing(name) }
        return value
    }

    /// The run ID from `run_id` or its deprecated alias `run_uuid`, which must agree if both are sent.
    func runID() throws(TrackingError) -> String {
        let id = try string("run_id").flatMap { $0.isEmpty ? nil : $0 }
        let uuid = try string("run_uuid").flatMap { $0.isEmpty ? nil : $0 }
        if let id, let uuid, id != uuid {
            throw .invalid("Conflicting values for 'run_id' ('\(id)') and its alias 'run_uuid' ('\(uuid)').")
        }
        guard let value = id ?? uuid else { throw Self.missing("run_id") }
        return value
    }

    /// An int64 field, as a number or a numeric string.
    func int64(_ name: String) throws(TrackingError) -> Int64? {
        switch fields[name] {
        case nil, .null?: return nil
        case .number(let number)?:
            guard let value = number.exactInteger else { throw Self.wrongType(name, .number(number), expected: "an integer") }
            return Int64(value)
        case .string(let text)?:
            guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw Self.wrongType(name, .string(text), expected: "an integer")
            }
            return value
        case let value?: throw Self.wrongType(name, value, expected: "an integer")
        }
    }

    /// A double field: a number, a numeric string, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    func double(_ name: String) throws(TrackingError) -> Double? {
        switch fields[name] {
        case nil, .null?: return nil
        case .number(let number)?: return number.doubleValue
        case .string(let text)?:
            switch text {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                guard let value = Double(text) else { throw Self.wrongType(name, .string(text), expected: "a number") }
                return value
            }
        case let value?: throw Self.wrongType(name, value, expected: "a number")
        }
    }

    /// A boolean field: `true`/`false`, as JSON or as query text.
    func bool(_ name: String) throws(TrackingError) -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: throw .invalid("Invalid boolean value '\(text)' for parameter '\(name)': use true or false.")
            }
        case let value?: throw Self.wrongType(name, value, expected: "true or false")
        }
    }

    /// A repeated string field (a JSON array, or a query key given several times).
    func strings(_ name: String) throws(TrackingError) -> [String] {
        switch fields[name] {
        case nil, .null?: return []
        case .string(let value)?: return [try Self.checked(name, value)]
        case .array(let values)?:
            var strings: [String] = []
            for value in values {
                guard case .string(let text) = value else { throw Self.wrongType(name, value, expected: "a list of strings") }
                strings.append(try Self.checked(name, text))
            }
            return strings
        case let value?: throw Self.wrongType(name, value, expected: "a list of strings")
        }
    }

    /// A repeated message field, each element as its own request.
    func messages(_ name: String) throws(TrackingError) -> [MLflowRequest] {
        switch fields[name] {
        case nil, .null?: return []
        case .array(let values)?:
            var messages: [MLflowRequest] = []
            for value in values {
                guard case .object(let fields) = value else { throw Self.wrongType(name, value, expected: "a list of objects") }
                messages.append(MLflowRequest(fields: fields))
            }
            return messages
        case let value?: throw Self.wrongType(name, value, expected: "a list of objects")
        }
    }

    /// `{key, value}` messages, e.g. tags and params.
    func keyValues(_ name: String) throws(TrackingError) -> [Tag] {
        var tags: [Tag] = []
        for message in try messages(name) {
            tags.append(Tag(key: try message.requiredString("key"), value: try message.string("value") ?? ""))
        }
        return tags
    }
}

extension JSONValue {
    /// The value in a few characters, for messages.
    var shortDescription: String {
        let text = jsonText
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
