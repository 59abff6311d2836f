/// The one table of allowed task-instance state changes. Every change of state goes through
/// ``TaskTransitions/check(from:to:)`` (the store calls it inside the transaction that makes the
/// change), so no code path can move a task in a way this table does not list.
public enum TaskTransitions {
    /// Where each state may go. `nil` is "no state" (created, or cleared).
    static let allowed: [TaskState?: Set<TaskState?>] = [
        nil: [.scheduled, .skipped, .upstreamFailed, .removed, .success, .failed],
        .scheduled: [.queued, nil, .skipped, .upstreamFailed, .success, .failed, .removed],
        .queued: [.running, .deferred, nil, .scheduled, .success, .failed, .upForRetry, .skipped],
        .running: [.success, .failed, .upForRetry, .skipped, .deferred, .restarting, nil],
        .deferred: [.running, .success, .failed, .upForRetry, .skipped, nil, .scheduled],
        .upForRetry: [.scheduled, nil, .success, .failed, .skipped],
        .restarting: [nil, .scheduled, .failed, .upForRetry, .success],
        .success: [nil, .failed],
        .failed: [nil, .success],
        .skipped: [nil, .success, .failed],
        .upstreamFailed: [nil, .success, .failed],
        .removed: [nil],
    ]

    /// Whether a task may move from `old` to `new`.
    public static func isAllowed(from old: TaskState?, to new: TaskState?) -> Bool {
        old == new || allowed[old]?.contains(new) == true
    }

    /// Throws when a task may not move from `old` to `new`.
    public static func check(from old: TaskState?, to new: TaskState?, taskID: String) throws(OrchestratorError) {
        guard isAllowed(from: old, to: new) else {
            throw .conflict("task '\(taskID)' cannot go from \(old?.rawValue ?? "none") to \(new?.rawValue ?? "none")")
        }
    }
}
