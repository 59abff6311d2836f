/// A task instance's state, with Airflow's names. A task instance without a state ("none") is
/// represented as `nil` where it is stored.
public enum TaskState: String, Sendable, CaseIterable, Codable {
    case scheduled, queued, running, success, failed, skipped
    case upForRetry = "up_for_retry"
    case upstreamFailed = "upstream_failed"
    case removed, deferred, restarting

    /// States after which nothing more happens to the try.
    public var isFinished: Bool {
        switch self {
        case .success, .failed, .skipped, .upstreamFailed, .removed: true
        default: false
        }
    }

    /// Success or skipped: what lets a run succeed.
    public var isSuccessLike: Bool { self == .success || self == .skipped }

    /// Failed or upstream_failed.
    public var isFailureLike: Bool { self == .failed || self == .upstreamFailed }

    /// A task holding (or about to hold) an executor slot or a trigger.
    public var isActive: Bool { self == .queued || self == .running || self == .deferred }
}

/// A dag run's state.
public enum DagRunState: String, Sendable, CaseIterable, Codable {
    case queued, running, success, failed

    public var isFinished: Bool { self == .success || self == .failed }
}

/// How a dag run came to be.
public enum DagRunType: String, Sendable, Codable {
    case manual, scheduled, backfill
}
