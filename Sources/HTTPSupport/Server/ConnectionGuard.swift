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
        var lastActive: ContinuousClock.Instant
        var busy: Bool
    }

    let maximum: Int
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// The connections kept now.
    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection, closing the longest-idle one (or, if all are busy, this one)
    /// when the cap is passed.
    func opened(_ channel: any Channel) {
        let victim: (any Channel)? = entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: .now, busy: false)
            guard entries.count > maximum else { return nil }
            let idle = entries.values.filter { !$0.busy && $0.channel !== channel }.min { $0.lastActive < $1.lastActive }
            let chosen = idle?.channel ?? channel
            entries[ObjectIdentifier(chosen)] = nil
            return chosen
        }
        victim?.close(promise: nil)
    }

    /// Marks a connection busy (a request is being read or answered) or idle.
    func update(_ channel: any Channel, busy: Bool) {
        entries.withLock { entries in
            entries[ObjectIdentifier(channel)]?.busy = busy
            entries[ObjectIdentifier(channel)]?.lastActive = .now
        }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
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
