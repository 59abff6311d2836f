public import Foundation
import SQLKit
public import Workflow

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
