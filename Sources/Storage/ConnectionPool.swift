import Synchronization

/// A fixed set of connections lent out one borrower at a time; borrowers wait when all are busy.
final class ConnectionPool<Connection: Sendable>: Sendable {
    private struct State {
        var available: [Connection]
        var waiting: [CheckedContinuation<Connection, Never>] = []
    }

    let all: [Connection]
    private let state: Mutex<State>

    init(_ connections: [Connection]) {
        all = connections
        state = Mutex(State(available: connections))
    }

    /// Runs `body` with a connection of its own and returns its result.
    func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = await borrow()
        defer { giveBack(connection) }
        return try await body(connection)
    }

    private func borrow() async -> Connection {
        if let connection = state.withLock({ $0.available.popLast() }) { return connection }
        return await withCheckedContinuation { continuation in
            let connection = state.withLock { state -> Connection? in
                if let connection = state.available.popLast() { return connection }
                state.waiting.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func giveBack(_ connection: Connection) {
        let waiter = state.withLock { state -> CheckedContinuation<Connection, Never>? in
            if state.waiting.isEmpty {
                state.available.append(connection)
                return nil
            }
            return state.waiting.removeFirst()
        }
        waiter?.resume(returning: connection)
    }
}
