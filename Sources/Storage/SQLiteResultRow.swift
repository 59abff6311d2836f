import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// A result row of ``SQLiteHandle``: its values, read by column name with fast paths for the types
/// the stores read (text, integers, doubles and their optionals).
struct SQLiteResultRow: SQLRow {
    /// The column names of a statement's result, shared by its rows.
    final class Columns: Sendable {
        let names: [String]

        init(_ statement: OpaquePointer) {
            let count = sqlite_nio_sqlite3_column_count(statement)
            names = (0..<count).map { index in
                sqlite_nio_sqlite3_column_name(statement, index).map { String(cString: $0) } ?? ""
            }
        }

        func index(of column: String) -> Int? {
            names.firstIndex(of: column)
        }
    }

    /// No column of that name in the result.
    struct MissingColumn: Error, CustomStringConvertible {
        var column: String
        var description: String { "the result has no column '\(column)'" }
    }

    let columns: Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.index(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.index(of: column) else { throw MissingColumn(column: column) }
        let value = values[index]
        // The stores' common types, by identity of the requested type (no dynamic cast).
        switch value {
        case .text(let text):
            if D.self == String.self || D.self == String?.self { return Self.cast(text) }
        case .integer(let number):
            if D.self == Int64.self || D.self == Int64?.self { return Self.cast(Int64(number)) }
            if D.self == Int.self || D.self == Int?.self { return Self.cast(number) }
            if D.self == Bool.self || D.self == Bool?.self { return Self.cast(number != 0) }
            if D.self == Double.self || D.self == Double?.self { return Self.cast(Double(number)) }
        case .float(let number):
            if D.self == Double.self || D.self == Double?.self { return Self.cast(number) }
        case .null:
            if D.self == String?.self { return Self.cast(String?.none) }
            if D.self == Int64?.self { return Self.cast(Int64?.none) }
            if D.self == Double?.self { return Self.cast(Double?.none) }
        case .blob:
            break
        }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    /// `value` as `D`, which the caller has checked is `T` or `T?` (sizes match, so the bits do).
    @inline(__always)
    private static func cast<T, D>(_ value: T) -> D {
        if T.self == D.self { return unsafeBitCast(value, to: D.self) }
        return unsafeBitCast(Optional(value), to: D.self)
    }
}
