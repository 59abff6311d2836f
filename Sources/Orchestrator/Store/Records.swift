import Foundation
public import JSON
import SQLKit

/// A DAG as the database knows it: what the last parse found, and whether it is paused.
public struct DagRecord: Sendable, Equatable {
    public var dagID: String
    public var fileLocation: String
    public var description: String?
    public var schedule: String?
    public var isPaused: Bool
    /// Whether its file is still in the DAGs folder (Airflow: not stale).
    public var isActive: Bool
    public var tags: [String]
    public var owners: [String]
    public var maxActiveRuns: Int
    public var maxActiveTasks: Int
    public var hasImportErrors: Bool
    public var lastParsedTime: Date
    public var nextRun: DataInterval?
}

/// One run of a DAG.
public struct DagRun: Sendable, Equatable {
    public var id: Int64
    public var dagID: String
    public var runID: String
    public var runType: DagRunType
    public var state: DagRunState
    /// The start of the data interval for scheduled runs; the trigger's logical date, or `nil`, for manual ones.
    public var logicalDate: Date?
    public var dataInterval: DataInterval?
    /// When the run may start.
    public var runAfter: Date
    public var queuedAt: Date?
    public var startDate: Date?
    public var endDate: Date?
    public var conf: [String: JSONValue]
    public var triggeredBy: String
    public var triggeringUser: String?
    public var note: String?
}

/// One task of one run, at its latest try.
public struct TaskInstance: Sendable, Equatable {
    public var dagID: String
    public var runID: String
    public var taskID: String
    /// `nil` = no state yet.
    public var state: TaskState?
    /// The current (or last) try; 0 before the first.
    public var tryNumber: Int
    /// Tries beyond the first that the task may take (its retries, plus what clearing added).
    public var maxTries: Int
    public var operatorName: String
    public var startDate: Date?
    public var endDate: Date?
    public var scheduledAt: Date?
    public var queuedAt: Date?
    public var nextRetryAt: Date?
    public var hostname: String
    public var pid: Int?
    /// Why the try ended as it did (the failure message), if known.
    public var message: String?
    public var note: String?

    public var duration: Double? {
        guard let startDate else { return nil }
        return (endDate ?? (state?.isFinished == true ? startDate : Date())).timeIntervalSince(startDate)
    }
}

/// A finished try of a task, kept when the task runs again.
public struct TaskTry: Sendable, Equatable {
    public var tryNumber: Int
    public var state: TaskState
    public var startDate: Date?
    public var endDate: Date?
    public var hostname: String
    public var pid: Int?
    public var message: String?
}

/// A DAG file that failed to load, as stored for the API and UI.
public struct ImportErrorRecord: Sendable, Equatable {
    public var id: Int64
    public var filename: String
    public var timestamp: Date
    public var message: String
}

/// A Variable: a named value that templates read as `var.<name>`.
public struct VariableRecord: Sendable, Equatable {
    public var key: String
    public var value: String
    public var description: String?

    /// The most characters (code points) of a key.
    public static let maximumKeyLength = 250
}

extension Date {
    /// Microseconds since the epoch, as stored.
    var microseconds: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    init(microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

extension DagRun {
    /// Airflow's default `allowed_run_id_pattern`: what a run id given by a user may contain.
    public static let allowedRunIDCharacters = "A-Za-z0-9_.~:+-"
    /// The most characters of a run id given by a user.
    public static let maximumRunIDLength = 250

    /// Why `runID`, given by a user, cannot name a run (`nil` when it can): 1 to 250 of
    /// ``allowedRunIDCharacters`` (Airflow's default pattern), and not `.` or `..`, which would
    /// name folders outside the run's own.
    public static func runIDProblem(_ runID: String) -> String? {
        let allowed = runID.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_.~:+-".unicodeScalars.contains(scalar))
        }
        guard !runID.isEmpty, runID.unicodeScalars.count <= maximumRunIDLength, allowed, runID != ".", runID != ".." else {
            return "The run id '\(String(runID.unicodeScalars.prefix(100).map { $0.properties.generalCategory == .control ? "?" : Character($0) }))' is invalid: "
                + "use 1 to \(maximumRunIDLength) of the characters \(allowedRunIDCharacters) (not '.' or '..')"
        }
        return nil
    }
}

/// Which runs to list, in which order, which page (``OrchestratorStore/runPage(_:)``).
public struct RunQuery: Sendable {
    /// The columns runs can be filtered and ordered by.
    public enum Field: String, Sendable, CaseIterable {
        case id, state, dag_id, run_id, logical_date, run_after, start_date, end_date
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case gte, gt, lte, lt

        var `operator`: SQLBinaryOperator {
            switch self {
            case .gte: .greaterThanOrEqual
            case .gt: .greaterThan
            case .lte: .lessThanOrEqual
            case .lt: .lessThan
            }
        }
    }

    public var dagID: String?
    public var states: [DagRunState] = []
    /// `logical_date_gte=…` and the like.
    public var dateBounds: [(field: Field, comparison: Comparison, date: Date)] = []
    public var order: [(field: Field, descending: Bool)] = []
    public var limit: Int
    public var offset: Int

    public init(dagID: String?, limit: Int, offset: Int) {
        self.dagID = dagID
        self.limit = limit
        self.offset = offset
    }
}
