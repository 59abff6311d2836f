public import Foundation
import Workflow

/// A worker as the store keeps it: a `flowline worker` on some host, or a server's own local
/// executor, with what it last said about itself.
public struct WorkerRecord: Sendable, Equatable {
    /// Where the worker runs.
    public enum Kind: String, Sendable {
        /// `flowline worker`, pulling work over HTTP.
        case remote
        /// A server's own slots (`--parallelism`).
        case local
    }

    /// What the worker is doing, as the workers page shows it.
    public enum State: String, Sendable, CaseIterable {
        /// Alive, running nothing.
        case idle
        /// Alive, running tries.
        case running
        /// Alive, taking no new tries (finishing those it has).
        case maintenance
        /// Silent for longer than the heartbeat timeout: its tries were failed or retried.
        case offline
        /// Drained and said goodbye.
        case stopped
    }

    public var name: String
    public var kind: Kind
    public var hostname: String
    public var queues: [String]
    /// How many tries it runs at once.
    public var concurrency: Int
    /// The state it last reported (never ``State/offline``: that one is decided here).
    public var reportedState: State
    /// Whether an admin or op asked it to take no new tries.
    public var maintenance: Bool
    public var maintenanceComment: String?
    public var version: String
    /// The token it authenticated with (remote workers).
    public var tokenName: String?
    public var registeredAt: Date
    public var lastHeartbeat: Date
    public var succeeded: Int
    public var failed: Int
    /// The tries it holds now, as `dag_id/run_id/task_id#try` (``tryLabel(dagID:runID:taskID:tryNumber:)``).
    public var runningTries: [String] = []

    /// The longest maintenance comment kept (API and web UI).
    public static let maximumMaintenanceComment = 1000

    /// How a held try is named in ``runningTries``.
    public static func tryLabel(dagID: String, runID: String, taskID: String, tryNumber: Int) -> String {
        "\(dagID)/\(runID)/\(taskID)#\(tryNumber)"
    }

    /// Its state at `now`: offline once its heartbeat is older than `timeout`.
    public func state(now: Date, timeout: Duration) -> State {
        if reportedState == .stopped || reportedState == .offline { return reportedState }
        if now.timeIntervalSince(lastHeartbeat) > timeout.seconds { return .offline }
        if maintenance { return .maintenance }
        return runningTries.isEmpty ? .idle : .running
    }
}
