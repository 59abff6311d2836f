import Foundation
public import JSON

/// `operator: http` — sends one HTTP request. `method` (GET), `url`, `headers`, `json` (sent as
/// JSON; strings inside are rendered, and a string that renders to a number stays a number where
/// the JSON has one) or `body` (text), `expect_status` (a code or a list; default any 2xx),
/// `save_to` (a file in the workspace for the response body), `timeout` (default 60s). A JSON
/// response of at most 64 KiB is pushed as XCom; a response larger than 64 MiB fails the task
/// unread.
public struct HTTPOperator: OperatorDefinition {
    public static let name = "http"
    public static let settings: Set<String> = ["method", "url", "headers", "json", "body", "expect_status", "save_to", "timeout", "xcom"]
    public static let requiredSettings: Set<String> = ["url"]
    package static let xcomLimit = 64 * 1024
    /// The largest response the task reads; a larger one fails it.
    package static let responseLimit = 64 << 20
    package static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    /// Values of the run are percent-encoded into the URL and stay JSON values in `json`; a text
    /// `body` comes from the DAG file or a Variable.
    public static let templateEmbeddings: [String: TemplateEmbedding] = ["url": .url, "body": .trusted]

    public static func validate(_ settings: [String: JSONValue]) -> String? {
        if settings["json"] != nil, settings["body"] != nil { return "give 'json' or 'body', not both" }
        if case .string(let method)? = settings["method"], !method.contains("{{"), !methods.contains(method.uppercased()) {
            return "method '\(method)' is not an HTTP method this operator sends (\(methods.joined(separator: ", ")))"
        }
        if case .string(let timeout)? = settings["timeout"], (try? DurationText.parse(timeout)) == nil {
            return "timeout '\(timeout)' is not a duration"
        }
        return nil
    }
}
