import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPSupport

@Suite("The connection cap")
struct ConnectionGuardTests {
    @Test("Past the cap the connection idle longest is closed; busy ones stay; a new one is closed only when all are busy")
    func eviction() async throws {
        let connections = ConnectionGuard(maximum: 3)
        let channels = (0..<6).map { _ in EmbeddedChannel() }
        for channel in channels { try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get() }
        for channel in channels.prefix(3) { connections.opened(channel) }
        connections.update(channels[0], busy: true)
        connections.update(channels[1], busy: true)
        connections.update(channels[1], busy: false)  // idle again, more recently than channel 2
        connections.opened(channels[3])
        #expect(!channels[2].isActive && channels[0].isActive && channels[1].isActive && channels[3].isActive)
        connections.opened(channels[4])
        #expect(!channels[1].isActive, "the idle one goes, the busy one stays")
        connections.update(channels[3], busy: true)
        connections.update(channels[4], busy: true)
        connections.opened(channels[5])
        #expect(!channels[5].isActive, "every other connection is busy: the new one is closed")
        #expect(channels[0].isActive && channels[3].isActive && channels[4].isActive)
        #expect(connections.count == 3)
        for channel in channels where channel.isActive { _ = try? channel.finish() }
    }

    @Test("Updates of many requests keep the queue bounded")
    func compaction() async throws {
        let connections = ConnectionGuard(maximum: 10)
        let channel = EmbeddedChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        connections.opened(channel)
        for _ in 0..<100_000 {
            connections.update(channel, busy: true)
            connections.update(channel, busy: false)
        }
        #expect(connections.count == 1 && channel.isActive)
        #expect(connections.queueLength <= 2 * connections.count + 1025, "\(connections.queueLength)")
        _ = try? channel.finish()
    }

    @Test("At the cap, connections that come and go keep the queue bounded")
    func churnAtTheCap() async throws {
        let connections = ConnectionGuard(maximum: 10)
        var open: [EmbeddedChannel] = []
        var longest = 0
        for _ in 0..<5_000 {
            let channel = EmbeddedChannel()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
            connections.opened(channel)
            open.append(channel)
            open.removeAll { !$0.isActive }
            longest = max(longest, connections.queueLength)
        }
        #expect(connections.count == 10 && open.count == 10)
        #expect(longest <= 2 * 10 + 1025, "the queue grew to \(longest) places for 10 connections")
        for channel in open { _ = try? channel.finish() }
    }
}
