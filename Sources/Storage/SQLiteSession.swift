import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's interface to one ``SQLiteHandle``: each statement runs synchronously on the calling
/// thread (one of the backend's ``DedicatedThreads``), so a transaction makes no thread hop between
/// its statements.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        do {
            try run(query, onRow)
            promise.succeed()
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map(Self.value)
        try handle.execute(sql, values) { onRow($0) }
    }

    /// The SQLite value of a bound value: directly for the common types, else as SQLiteKit encodes.
    private static func value(_ bind: any Encodable & Sendable) throws -> SQLiteData {
        switch bind {
        case let text as String: return .text(text)
        case let number as Int64: return .integer(Int(number))
        case let number as Int: return .integer(number)
        case let number as Double: return .float(number)
        case let flag as Bool: return .integer(flag ? 1 : 0)
        default: return try SQLiteDataEncoder().encode(bind)
        }
    }
}

extension SQLiteSession {
    /// Runs `sql`, a statement without values or results, here and now.
    func run(_ sql: String) throws {
        try handle.execute(sql, []) { _ in }
    }
}
