import Foundation
import HTTPSupport
import Hummingbird
import JSON
import NIOCore
import OrchestratorDatabase
import Workflow

/// Airflow's `limit` (default 50, at most 100) and `offset` query parameters.
struct Paging {
    static let defaultLimit = 50
    static let maximumLimit = 100

    var limit: Int
    var offset: Int

    init(_ query: Parameters) throws {
        limit = try Self.integer(query, "limit") ?? Self.defaultLimit
        offset = try Self.integer(query, "offset") ?? 0
        limit = min(limit, Self.maximumLimit)
    }

    func slice<T>(_ items: [T]) -> ArraySlice<T> {
        items.dropFirst(offset).prefix(limit)
    }

    private static func integer(_ query: Parameters, _ name: String) throws -> Int? {
        guard let text = query.get(name) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw FastAPIError.validation(
                type: "int_parsing",
                location: ["query", .key(name)],
                message: "Input should be a valid integer, unable to parse string as an integer",
                input: .string(String(text))
            )
        }
        return value
    }
}
