public import Foundation
import SQLKit
public import Workflow

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
