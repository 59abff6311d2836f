import Foundation
import JSON

/// The `mlflow.modelVersions` tag of a logged model: the registry versions made from it, a JSON
/// list that MLflow's server extends when a version is created with the model's `model_id` (and
/// the client extends again, with the version as a string).
///
/// The server writes it as Python's `json.dumps` does (`", "` and `": "`, non-ASCII escaped), so
/// that the client reads, compares and extends the same text on either server.
public enum ModelVersionsTag {
    public static let key = "mlflow.modelVersions"

    /// The tag's value after version `version` of `name` was made: `{"name": …, "version": N}`
    /// appended to the list in `existing`, as MLflow's `set_model_versions_tags` does, which also
    /// means that when the list holds that very entry already, the list becomes that entry alone.
    /// A value that is not a JSON list is replaced. The existing entries keep their text.
    public static func adding(name: String, version: Int64, to existing: String?) -> String {
        let entry = #"{"name": \#(pythonString(name)), "version": \#(version)}"#
        guard let existing, case .array(let entries)? = try? JSONParser.parse(Array(existing.utf8)) else { return "[\(entry)]" }
        let present = entries.contains { element in
            guard case .object(let fields) = element, fields.count == 2, fields["name"] == .string(name),
                case .number(let number)? = fields["version"], number.exactInteger == Int(version)
            else { return false }
            return true
        }
        let text = existing.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !present, !entries.isEmpty, text.hasSuffix("]") else { return "[\(entry)]" }
        return text.dropLast() + ", " + entry + "]"
    }

    /// `text` as a JSON string the way Python's `json.dumps` writes it (`ensure_ascii`): quotes,
    /// backslashes and control characters escaped, everything past ASCII as `\u` and four hex digits.
    static func pythonString(_ text: String) -> String {
        var result = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x08: result += "\\b"
            case 0x0C: result += "\\f"
            case 0x20..<0x7F: result.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return result + "\""
    }
}
