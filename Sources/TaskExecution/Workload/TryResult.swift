public import JSON

/// How a try ended, as the task side reports it to the orchestrator.
public enum TryResult: Sendable, Equatable {
    /// Done. `xcoms` by key (`return_value` for the task's own value), secrets already masked.
    case success(xcoms: [String: JSONValue])
    /// The task decided not to do its work (bash exit 99).
    case skipped(reason: String)
    /// Failed. A try stopped by hand or by its run is not `retryable`; others may be retried.
    case failed(reason: String, retryable: Bool)

    /// The most bytes of log lines a worker's report of a try's end may carry (the lines not
    /// pushed yet: a short try's whole log travels with its end, in one call).
    public static let maximumReportedLog = 32 * 1024

    /// The result as JSON.
    public var json: JSONValue {
        switch self {
        case .success(let xcoms): .object(["state": "success", "xcoms": .object(xcoms)])
        case .skipped(let reason): .object(["state": "skipped", "reason": .string(reason)])
        case .failed(let reason, let retryable): .object(["state": "failed", "reason": .string(reason), "retryable": .bool(retryable)])
        }
    }

    /// Reads a result written by ``json``.
    public init(json: JSONValue) throws(TaskWorkloadError) {
        switch json["state"]?.string {
        case "success":
            guard case .object(let xcoms)? = json["xcoms"] else { throw TaskWorkloadError("xcoms must be an object") }
            self = .success(xcoms: xcoms)
        case "skipped":
            guard let reason = json["reason"]?.string else { throw TaskWorkloadError("reason must be text") }
            self = .skipped(reason: reason)
        case "failed":
            guard let reason = json["reason"]?.string else { throw TaskWorkloadError("reason must be text") }
            guard case .bool(let retryable)? = json["retryable"] else { throw TaskWorkloadError("retryable must be true or false") }
            self = .failed(reason: reason, retryable: retryable)
        default:
            throw TaskWorkloadError("state must be success, skipped or failed")
        }
    }
}
