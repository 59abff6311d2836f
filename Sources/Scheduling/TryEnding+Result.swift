import Foundation
import JSON
import OrchestratorDatabase
import TaskExecution
import Workflow

extension OrchestratorStore.TryEnding {
    /// How a try that answered `result` ends: the one rule for local and remote tries. A failure
    /// that may be retried (tries remain, and it was not stopped) waits its `retry_delay`.
    /// - Returns: the ending, and the lines to add to the try's log.
    static func after(
        _ result: TryResult,
        of instance: TaskInstance,
        task: TaskDefinition?,
        now: Date = Date()
    ) -> (
        ending: Self, log: [(text: String, level: TaskLog.Level)]
    ) {
        switch result {
        case .success(let xcoms):
            var lines: [(String, TaskLog.Level)] = xcoms.sorted { $0.key < $1.key }.map {
                ("Pushed XCom \($0.key): \($0.value.jsonText.prefix(200))", .info)
            }
            lines.append(("Task succeeded", .info))
            return (Self(instance: instance, state: .success, xcoms: xcoms), lines)
        case .skipped(let reason):
            return (Self(instance: instance, state: .skipped, message: reason), [("Task skipped: \(reason)", .info)])
        case .failed(let reason, let retryable):
            return failure(reason, retryable: retryable, of: instance, task: task, now: now)
        }
    }

    /// A failed try: up for retry after its delay while tries remain and `retryable`, else failed.
    static func failure(
        _ reason: String,
        retryable: Bool,
        of instance: TaskInstance,
        task: TaskDefinition?,
        now: Date = Date()
    ) -> (
        ending: Self, log: [(text: String, level: TaskLog.Level)]
    ) {
        var lines: [(String, TaskLog.Level)] = [("Task failed: \(reason)", .error)]
        if retryable, RetryPolicy.mayRetry(tryNumber: instance.tryNumber, maxTries: instance.maxTries) {
            let delay = task.map { RetryPolicy.delay(for: $0, tryNumber: instance.tryNumber, dagID: instance.dagID, runID: instance.runID) } ?? .zero
            lines.append(("Retrying in \(DurationText.format(delay)) (try \(instance.tryNumber + 1) of \(instance.maxTries + 1))", .info))
            return (Self(instance: instance, state: .upForRetry, message: reason, nextRetryAt: now.addingTimeInterval(delay.seconds)), lines)
        }
        return (Self(instance: instance, state: .failed, message: reason), lines)
    }
}
