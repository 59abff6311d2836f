import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Keeps a server's connections under ``ServerPolicy/maximumConnections`` without turning new
/// clients away because of idle ones: when a new connection would pass the cap, the connection
/// idle longest (no request in progress) is closed to make room; only when every connection is
/// busy is the new one closed. So thousands of idle or slow connections cannot lock others out,
/// and never hold more descriptors than the cap.
final class ConnectionGuard: Sendable {
    private struct Entry {
        let channel: any Channel
        /// Changes each time the connection goes idle, so that older places in the queue are skipped.
        var generation: Int
        var busy: Bool
    }

    /// The connections, and the idle ones in the order they went idle (places whose generation is
    /// no longer the connection's are stale, skipped and dropped): eviction takes the oldest in
    /// constant time, and the queue never holds many more places than there are connections.
    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var idle = CircularBuffer<(id: ObjectIdentifier, generation: Int)>()
        var nextGeneration = 0

        mutating func markIdle(_ id: ObjectIdentifier) {
            nextGeneration += 1
            entries[id]?.generation = nextGeneration
            entries[id]?.busy = false
            idle.append((id, nextGeneration))
            // Drop the stale places once they outnumber the live ones.
            if idle.count > 2 * entries.count + 1024 {
                idle.removeAll { entries[$0.id]?.generation != $0.generation }
            }
        }

        /// The connection idle longest, other than `except`, taken off the queue.
        mutating func oldestIdle(except: ObjectIdentifier) -> ObjectIdentifier? {
            while let place = idle.popFirst() {
                if place.id != except, let entry = entries[place.id], entry.generation == place.generation, !entry.busy { return place.id }
            }
            return nil
        }
    }

    let maximum: Int
    private let state = Mutex(State())

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// The connections kept now.
    var count: Int { state.withLock { $0.entries.count } }

    /// The places in the idle queue now, stale ones included.
    var queueLength: Int { state.withLock { $0.idle.count } }

    /// Registers a new connection, closing the longest-idle one (or, if all are busy, this one)
    /// when the cap is passed.
    func opened(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let victim: (any Channel)? = state.withLock { state in
            state.entries[id] = Entry(channel: channel, generation: 0, busy: false)
            state.markIdle(id)
            guard state.entries.count > maximum else { return nil }
            let chosen = state.oldestIdle(except: id) ?? id
            return state.entries.removeValue(forKey: chosen)?.channel
        }
        victim?.close(promise: nil)
    }

    /// Marks a connection busy (a request is being read or answered) or idle.
    func update(_ channel: any Channel, busy: Bool) {
        let id = ObjectIdentifier(channel)
        state.withLock { state in
            if busy { state.entries[id]?.busy = true } else { state.markIdle(id) }
        }
    }

    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The channel handler that reports one connection's requests to the guard.
    func handler() -> ConnectionGuardHandler {
        ConnectionGuardHandler(guard: self)
    }
}

/// Reports a connection's life to its ``ConnectionGuard``: opened, busy from a request's head to
/// the end of its response, closed.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionGuard
    private var registered = false
    private var inFlight = 0

    init(guard connections: ConnectionGuard) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context.channel)
        context.fireChannelActive()
    }

    private func register(_ channel: any Channel) {
        guard !registered else { return }
        registered = true
        connections.opened(channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connections.closed(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connections.closed(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            connections.update(context.channel, busy: true)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            connections.update(context.channel, busy: inFlight > 0)
        }
        context.write(data, promise: promise)
    }
}
