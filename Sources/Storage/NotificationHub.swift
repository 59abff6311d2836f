import Synchronization

/// The subscribers of a database's notification channels, in one process: ``Database/notify(_:)``
/// on SQLite and PostgreSQL's listener connection deliver through it.
///
/// Each subscriber is an `AsyncStream<Void>` that keeps at most one pending element: a
/// notification says "look again", so several arriving before the subscriber looks are one.
final class NotificationHub: Sendable {
    private struct State {
        var subscribers: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// A new subscription to `channel`, ended when its stream is dropped or the hub finishes.
    /// - Parameter told: whether the stream starts with one element.
    func subscribe(_ channel: String, told: Bool = false) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if told { continuation.yield() }
        let id = state.withLock { state in
            state.nextID += 1
            state.subscribers[channel, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.subscribers[channel]?.removeValue(forKey: id)
                if state.subscribers[channel]?.isEmpty == true { state.subscribers.removeValue(forKey: channel) }
            }
        }
        return stream
    }

    /// The channels that have subscribers now.
    var channels: Set<String> {
        state.withLock { Set($0.subscribers.keys) }
    }

    /// Tells every subscriber of `channel`.
    func deliver(_ channel: String) {
        for continuation in state.withLock({ Array(($0.subscribers[channel] ?? [:]).values) }) {
            continuation.yield()
        }
    }

    /// Ends every subscription (the database stopped).
    func finish() {
        let all = state.withLock { state in
            defer { state.subscribers = [:] }
            return state.subscribers.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }
}
