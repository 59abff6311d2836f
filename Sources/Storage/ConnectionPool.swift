/// A fixed set of connections lent out one borrower at a time; borrowers wait when all are busy.
actor ConnectionPool<Connection: Sendable> {
    nonisolated let all: [Connection]
    private var available: [Connection]
    private var waiting: [CheckedContinuation<Connection, Never>] = []

    init(_ connections: [Connection]) {
        all = connections
        available = connections
    }

    /// Runs `body` with a connection of its own and returns its result.
    nonisolated func withConnection<T: Sendable>(_ body: @Sendable (Connection) async throws -> T) async throws -> T {
        let connection = await borrow()
        do {
            let result = try await body(connection)
            await giveBack(connection)
            return result
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    private func borrow() async -> Connection {
        if let connection = available.popLast() { return connection }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func giveBack(_ connection: Connection) {
        if waiting.isEmpty {
            available.append(connection)
        } else {
            waiting.removeFirst().resume(returning: connection)
        }
    }
}
