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
        switch value {
        // A value casts to its optional too, and no value to every optional.
        case .text(let text):
            if let text = text as? D { return text }
        case .integer(let number):
            if let number = Int64(number) as? D { return number }
            if let number = number as? D { return number }
        case .float(let number):
            if let number = number as? D { return number }
        case .null:
            if let none = (String?.none) as? D { return none }
        case .blob:
            break
        }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }
}
