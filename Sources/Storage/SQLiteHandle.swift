import Foundation
import NIOCore
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection, called directly (no thread pool): a statement runs on the calling
/// thread, which is one of the ``DedicatedThreads`` of the backend. Prepared statements are kept
/// per connection and reused.
///
/// Calls are serialized by a lock, so a connection is safe to share, though a transaction's
/// statements belong to one borrower at a time (the backend's write queue and reader pool).
final class SQLiteHandle: @unchecked Sendable {
    /// The most prepared statements a connection keeps; searches build many shapes of SQL.
    static let maximumCachedStatements = 256

    /// Guards `database` and `statements`.
    private let lock = NSLock()
    private var database: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating if missing) the database at `path`, or a private in-memory one for `nil`.
    init(path: String?) throws {
        let location = path ?? ":memory:"
        var database: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(location, &database, flags, nil)
        guard status == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(database)
            throw DatabaseError("cannot open the SQLite database \(location): \(message)")
        }
        self.database = database
    }

    /// Runs `sql` with `binds`, handing each result row to `onRow`.
    func execute(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteResultRow) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        do {
            guard let database else { throw DatabaseError("the SQLite connection is closed") }
            if let statement = statements[sql] {
                try Self.run(statement, binds, on: database, onRow: onRow)
                return
            }
            var statement: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let (status, rest) = sql.withCString { text -> (Int32, String) in
                let status = sqlite_nio_sqlite3_prepare_v3(
                    database,
                    text,
                    -1,
                    UInt32(SQLITE_PREPARE_PERSISTENT),
                    &statement,
                    &tail
                )
                return (status, tail.map { String(cString: $0) } ?? "")
            }
            guard status == SQLITE_OK else { throw Self.error(database, status, sql) }
            // A blank statement (a comment only) prepares to nothing.
            guard let statement else { return }
            let single = rest.allSatisfy(\.isWhitespace)
            if single && statements.count >= Self.maximumCachedStatements {
                for (_, old) in statements { sqlite_nio_sqlite3_finalize(old) }
                statements.removeAll(keepingCapacity: true)
            }
            if single {
                statements[sql] = statement
                try Self.run(statement, binds, on: database, onRow: onRow)
                return
            }
            defer { sqlite_nio_sqlite3_finalize(statement) }
            guard binds.isEmpty else {
                throw DatabaseError("an SQLite query with bound values must be one statement: \(sql)")
            }
            try Self.run(statement, [], on: database, onRow: onRow)
            // The statements after the first, without values (migrations' scripts).
            try Self.executeScript(rest, on: database)
        }
    }

    /// Closes the connection; later calls fail.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        for (_, statement) in statements { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(database)
        database = nil
    }

    deinit { close() }

    private static func run(
        _ statement: OpaquePointer,
        _ binds: [SQLiteData],
        on database: OpaquePointer,
        onRow: (SQLiteResultRow) throws -> Void
    ) throws {
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        let expected = Int(sqlite_nio_sqlite3_bind_parameter_count(statement))
        guard expected == binds.count else {
            throw DatabaseError("the SQL statement takes \(expected) values but was given \(binds.count)")
        }
        for (offset, value) in binds.enumerated() {
            let status = bind(value, at: Int32(offset + 1), to: statement)
            guard status == SQLITE_OK else { throw error(database, status, nil) }
        }
        var columns: SQLiteResultRow.Columns?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw error(database, status, nil) }
            let names: SQLiteResultRow.Columns
            if let columns {
                names = columns
            } else {
                names = SQLiteResultRow.Columns(statement)
                columns = names
            }
            var values: [SQLiteData] = []
            values.reserveCapacity(names.names.count)
            for index in 0..<Int32(names.names.count) {
                values.append(value(at: index, of: statement))
            }
            try onRow(SQLiteResultRow(columns: names, values: values))
        }
    }

    private static func executeScript(_ script: String, on database: OpaquePointer) throws {
        var failure: UnsafeMutablePointer<CChar>?
        let status = sqlite_nio_sqlite3_exec(database, script, nil, nil, &failure)
        if let failure { sqlite_nio_sqlite3_free(failure) }
        guard status == SQLITE_OK else { throw error(database, status, script) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let number):
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .float(let number):
            return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case .text(let text):
            return sqlite_nio_sqlite3_bind_text64(
                statement,
                index,
                text,
                UInt64(text.utf8.count),
                transient,
                UInt8(SQLITE_UTF8)
            )
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes { bytes in
                sqlite_nio_sqlite3_bind_blob64(statement, index, bytes.baseAddress, UInt64(bytes.count), transient)
            }
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private static func value(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index), count > 0 {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private static func error(_ database: OpaquePointer, _ status: Int32, _ sql: String?) -> SQLiteStatementError {
        SQLiteStatementError(
            code: status,
            message: String(cString: sqlite_nio_sqlite3_errmsg(database)),
            sql: sql
        )
    }
}

/// An error SQLite reported for a statement: its (extended) result code and message.
struct SQLiteStatementError: Error, CustomStringConvertible, Sendable {
    var code: Int32
    var message: String
    var sql: String?

    var description: String { "SQLite error \(code): \(message)" }
}
