public import JSON

/// How a try ended, when it did not fail.
public enum TaskOutcome: Sendable, Equatable {
    /// Done; the value, if any, is pushed as the task's XCom (`return_value`), and `more` under
    /// their own keys.
    case success(xcom: JSONValue?, more: [String: JSONValue] = [:])
    /// The task decided not to do its work (bash exit 99).
    case skipped(String)
}
