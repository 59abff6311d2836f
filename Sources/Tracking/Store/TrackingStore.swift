import Foundation
public import Storage
import SQLKit

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

    public init(
        database: Database,
        now: @escaping @Sendable () -> Int64 = { Int64(Date.now.timeIntervalSince1970 * 1000) },
        newRunID: @escaping @Sendable () -> String = { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }
    ) {
        self.database = database
        self.now = now
        self.newRunID = newRunID
    }
}

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func double(_ column: String) throws -> Double { try decode(column: column, as: Double.self) }
    func bool(_ column: String) throws -> Bool {
        // SQLite has no boolean type: it stores 0 and 1.
        if let flag = try? decode(column: column, as: Bool.self) { return flag }
        return try decode(column: column, as: Int.self) != 0
    }
}
