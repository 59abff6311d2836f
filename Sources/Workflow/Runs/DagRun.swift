public import Foundation
public import JSON

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
    /// The params the run got when it was created: defaults applied, conf checked
    /// (``DAG/params(for:)``); `nil` for a run stored before Flowline kept them.
    public var params: [String: JSONValue]?
    public var triggeredBy: String
    public var triggeringUser: String?
    public var note: String?

    public init(
        id: Int64,
        dagID: String,
        runID: String,
        runType: DagRunType,
        state: DagRunState,
        logicalDate: Date? = nil,
        dataInterval: DataInterval? = nil,
        runAfter: Date,
        queuedAt: Date? = nil,
        startDate: Date? = nil,
        endDate: Date? = nil,
        conf: [String: JSONValue],
        params: [String: JSONValue]? = nil,
        triggeredBy: String,
        triggeringUser: String? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.dagID = dagID
        self.runID = runID
        self.runType = runType
        self.state = state
        self.logicalDate = logicalDate
        self.dataInterval = dataInterval
        self.runAfter = runAfter
        self.queuedAt = queuedAt
        self.startDate = startDate
        self.endDate = endDate
        self.conf = conf
        self.params = params
        self.triggeredBy = triggeredBy
        self.triggeringUser = triggeringUser
        self.note = note
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
            return
                "The run id '\(String(runID.unicodeScalars.prefix(100).map { $0.properties.generalCategory == .control ? "?" : Character($0) }))' is invalid: "
                + "use 1 to \(maximumRunIDLength) of the characters \(allowedRunIDCharacters) (not '.' or '..')"
        }
        return nil
    }
}
