public import Foundation
import SQLKit
public import Storage

/// Experiments, runs, params, tags and metrics in Flowline's SQL database (SQLite or PostgreSQL).
///
/// Every rule of MLflow's store lives here or in ``TrackingValidation``: param immutability,
/// read-only deleted runs, the latest value of each metric, soft deletion. Each call is one
/// transaction.
public struct TrackingStore: Sendable {
    let database: Database
    /// Milliseconds since the epoch; injected so tests control time.
    let now: @Sendable () -> Int64
    /// A new run ID; injected so tests can make IDs predictable.
    let newRunID: @Sendable () -> String
    /// Told the name of a registered model once a write that may have moved its aliases is
    /// committed (an alias set or deleted; a version, or the model, deleted or renamed).
    let aliasesMoved: @Sendable (_ model: String) -> Void
    /// The artifact location new experiments get a folder of (`mlflow-artifacts:`, or
    /// `--default-artifact-root`), without a trailing `/`.
    let artifactRoot: String

    public init(
        database: Database,
        artifactRoot: String = "mlflow-artifacts:",
        now: @escaping @Sendable () -> Int64 = { Int64(Date.now.timeIntervalSince1970 * 1000) },
        newRunID: @escaping @Sendable () -> String = { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() },
        aliasesMoved: @escaping @Sendable (_ model: String) -> Void = { _ in }
    ) {
        self.database = database
        self.now = now
        self.newRunID = newRunID
        self.aliasesMoved = aliasesMoved
        self.artifactRoot = artifactRoot
    }
}
