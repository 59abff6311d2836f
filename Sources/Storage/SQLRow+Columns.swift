public import SQLKit

/// Typed column reads that read the same on SQLite and PostgreSQL.
extension SQLRow {
    public func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    public func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    public func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    public func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    public func double(_ column: String) throws -> Double { try decode(column: column, as: Double.self) }
    public func bool(_ column: String) throws -> Bool {
        // SQLite has no boolean type: it stores 0 and 1.
        if let flag = try? decode(column: column, as: Bool.self) { return flag }
        return try decode(column: column, as: Int.self) != 0
    }
}
