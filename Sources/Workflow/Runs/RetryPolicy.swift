import Foundation

/// When a failed try runs again: Airflow's `next_retry_datetime`.
///
/// Without backoff the delay is `retry_delay`. With a multiplier `m` (2 for
/// `retry_exponential_backoff: true`) the base is `ceil(retry_delay × m^(try-1))` seconds, plus a
/// deterministic jitter in `[0, base)` derived from the dag, task, run and try (so the same try
/// always waits the same), capped by `max_retry_delay` and by one day.
public enum RetryPolicy {
    public static let maximumDelay: Duration = .seconds(86_400)

    public static func delay(for task: TaskDefinition, tryNumber: Int, dagID: String, runID: String) -> Duration {
        let multiplier = task.retryExponentialBackoff
        var seconds: Double
        if multiplier == 0 || multiplier == 1 {
            seconds = task.retryDelay.seconds
        } else {
            let base = max(1, (task.retryDelay.seconds * pow(multiplier, Double(max(tryNumber - 1, 0)))).rounded(.up))
            let capped = min(base, maximumDelay.seconds)
            let jitter = Double(fnv1a("\(dagID)#\(task.taskID)#\(runID)#\(tryNumber)") % UInt64(max(capped, 1)))
            seconds = min(capped + jitter, maximumDelay.seconds)
        }
        if let cap = task.maxRetryDelay { seconds = min(seconds, cap.seconds) }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Whether a task that failed on `tryNumber` may run again (Airflow: `try_number <= max_tries`).
    public static func mayRetry(tryNumber: Int, maxTries: Int) -> Bool {
        maxTries > 0 && tryNumber <= maxTries
    }

    package static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
