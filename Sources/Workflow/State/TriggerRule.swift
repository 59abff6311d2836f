/// When a task may run, given its upstream tasks' states: Airflow's trigger rules.
public enum TriggerRule: String, Sendable, CaseIterable, Codable {
    case allSuccess = "all_success"
    case allFailed = "all_failed"
    case allDone = "all_done"
    case allSkipped = "all_skipped"
    case oneSuccess = "one_success"
    case oneFailed = "one_failed"
    case oneDone = "one_done"
    case noneFailed = "none_failed"
    case noneFailedMinOneSuccess = "none_failed_min_one_success"
    case noneSkipped = "none_skipped"
    case always

    /// What the rule decides for a task whose upstream tasks are in `upstream`.
    public enum Decision: Equatable, Sendable {
        /// The task may run now.
        case run
        /// Not yet: upstream tasks are still to finish.
        case wait
        /// The rule can no longer be met: the task takes this state without running.
        case settle(TaskState)
    }

    /// Decides from the upstream states (`nil` = no state yet). A task without upstream tasks runs.
    public func decide(upstream: [TaskState?]) -> Decision {
        if upstream.isEmpty || self == .always { return .run }
        let states = upstream.filter { $0 != .removed }
        let total = states.count
        let success = states.count { $0 == .success }
        let skipped = states.count { $0 == .skipped }
        let failed = states.count { $0 == .failed }
        let upstreamFailed = states.count { $0 == .upstreamFailed }
        let failures = failed + upstreamFailed
        let done = states.count { $0?.isFinished == true }
        let allDone = done == total

        switch self {
        case .allSuccess:
            if failures > 0 { return .settle(.upstreamFailed) }
            if skipped > 0 { return .settle(.skipped) }
            return success == total ? .run : .wait
        case .allFailed:
            if success + skipped > 0 { return .settle(.skipped) }
            return failures == total ? .run : .wait
        case .allDone:
            return allDone ? .run : .wait
        case .allSkipped:
            if success + failures > 0 { return .settle(.skipped) }
            return skipped == total ? .run : .wait
        case .oneSuccess:
            if success > 0 { return .run }
            guard allDone else { return .wait }
            return skipped == total ? .settle(.skipped) : .settle(.upstreamFailed)
        case .oneFailed:
            if failures > 0 { return .run }
            return allDone ? .settle(.skipped) : .wait
        case .oneDone:
            if success + failures > 0 { return .run }
            return allDone ? .settle(.skipped) : .wait
        case .noneFailed:
            if failures > 0 { return .settle(.upstreamFailed) }
            return allDone ? .run : .wait
        case .noneFailedMinOneSuccess:
            if failures > 0 { return .settle(.upstreamFailed) }
            guard allDone else { return .wait }
            if success > 0 { return .run }
            return skipped == total ? .settle(.skipped) : .settle(.upstreamFailed)
        case .noneSkipped:
            if skipped > 0 { return .settle(.skipped) }
            return allDone ? .run : .wait
        case .always:
            return .run
        }
    }
}
