import Testing

@testable import Workflow

@Suite("Trigger rules, transitions and retries")
struct TriggerRuleTests {
    typealias D = TriggerRule.Decision

    @Test(
        "Every trigger rule decides as Airflow's does",
        arguments: [
            // (rule, upstream states, decision)
            (TriggerRule.allSuccess, [TaskState.success, .success], D.run),
            (.allSuccess, [.success, nil], .wait),
            (.allSuccess, [.success, .failed], .settle(.upstreamFailed)),
            (.allSuccess, [.success, .upstreamFailed], .settle(.upstreamFailed)),
            (.allSuccess, [.success, .skipped], .settle(.skipped)),
            (.allFailed, [.failed, .upstreamFailed], .run),
            (.allFailed, [.failed, .success], .settle(.skipped)),
            (.allFailed, [.failed, nil], .wait),
            (.allDone, [.failed, .skipped, .success], .run),
            (.allDone, [.failed, .running], .wait),
            (.allSkipped, [.skipped, .skipped], .run),
            (.allSkipped, [.skipped, .success], .settle(.skipped)),
            (.oneSuccess, [.success, nil], .run),
            (.oneSuccess, [.skipped, .skipped], .settle(.skipped)),
            (.oneSuccess, [.failed, .skipped], .settle(.upstreamFailed)),
            (.oneSuccess, [.failed, nil], .wait),
            (.oneFailed, [.failed, nil], .run),
            (.oneFailed, [.success, .skipped], .settle(.skipped)),
            (.oneFailed, [.success, nil], .wait),
            (.oneDone, [.failed, nil], .run),
            (.oneDone, [.skipped, .skipped], .settle(.skipped)),
            (.noneFailed, [.success, .skipped], .run),
            (.noneFailed, [.success, .failed], .settle(.upstreamFailed)),
            (.noneFailed, [.success, nil], .wait),
            (.noneFailedMinOneSuccess, [.success, .skipped], .run),
            (.noneFailedMinOneSuccess, [.skipped, .skipped], .settle(.skipped)),
            (.noneFailedMinOneSuccess, [.upstreamFailed, .success], .settle(.upstreamFailed)),
            (.noneSkipped, [.success, .failed], .run),
            (.noneSkipped, [.success, .skipped], .settle(.skipped)),
            (.noneSkipped, [.success, nil], .wait),
            (.always, [nil, .failed], .run),
            (.allSuccess, [.success, .removed], .run),
        ] as [(TriggerRule, [TaskState?], D)]
    )
    func rules(rule: TriggerRule, upstream: [TaskState?], decision: D) {
        #expect(rule.decide(upstream: upstream) == decision)
    }

    @Test("A task without upstream tasks runs under any rule")
    func noUpstream() {
        for rule in TriggerRule.allCases { #expect(rule.decide(upstream: []) == .run) }
    }

    @Test("The transition table allows Airflow's moves and refuses the rest")
    func transitions() {
        #expect(TaskTransitions.isAllowed(from: nil, to: .scheduled))
        #expect(TaskTransitions.isAllowed(from: .scheduled, to: .queued))
        #expect(TaskTransitions.isAllowed(from: .queued, to: .running))
        #expect(TaskTransitions.isAllowed(from: .running, to: .upForRetry))
        #expect(TaskTransitions.isAllowed(from: .upForRetry, to: .scheduled))
        #expect(TaskTransitions.isAllowed(from: .success, to: nil))
        #expect(!TaskTransitions.isAllowed(from: .success, to: .running))
        #expect(!TaskTransitions.isAllowed(from: nil, to: .running))
        #expect(!TaskTransitions.isAllowed(from: .failed, to: .queued))
        #expect(throws: OrchestratorError.self) { try TaskTransitions.check(from: .skipped, to: .running, taskID: "t") }
    }

    func task(delay: Duration, backoff: Double, cap: Duration? = nil) -> TaskDefinition {
        TaskDefinition(
            taskID: "t",
            operatorName: "empty",
            arguments: [:],
            upstream: [],
            triggerRule: .allSuccess,
            owner: "o",
            retries: 5,
            retryDelay: delay,
            retryExponentialBackoff: backoff,
            maxRetryDelay: cap,
            executionTimeout: nil,
            environment: [:],
            location: ""
        )
    }

    @Test("Retry delays: constant, exponential with deterministic jitter, capped")
    func retryDelays() {
        let constant = task(delay: .seconds(20), backoff: 0)
        #expect(RetryPolicy.delay(for: constant, tryNumber: 3, dagID: "d", runID: "r") == .seconds(20))
        let doubling = task(delay: .seconds(10), backoff: 2)
        for tryNumber in 1...4 {
            let base = 10.0 * Double(1 << (tryNumber - 1))
            let delay = RetryPolicy.delay(for: doubling, tryNumber: tryNumber, dagID: "d", runID: "r").seconds
            #expect(delay >= base && delay < 2 * base, "try \(tryNumber): \(delay)")
            #expect(delay == RetryPolicy.delay(for: doubling, tryNumber: tryNumber, dagID: "d", runID: "r").seconds)
        }
        let capped = task(delay: .seconds(10), backoff: 1.5, cap: .seconds(30))
        #expect(RetryPolicy.delay(for: capped, tryNumber: 10, dagID: "d", runID: "r") == .seconds(30))
        #expect(RetryPolicy.mayRetry(tryNumber: 1, maxTries: 1))
        #expect(!RetryPolicy.mayRetry(tryNumber: 2, maxTries: 1))
        #expect(!RetryPolicy.mayRetry(tryNumber: 1, maxTries: 0))
    }
}
