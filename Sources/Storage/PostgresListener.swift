import Logging
import NIOSSL
import PostgresNIO

/// PostgreSQL's `LISTEN` on a connection of its own, for the channels a ``NotificationHub`` has
/// subscribers on, delivering each notification to them.
///
/// The connection is made again after any failure (after 0.1 s, then up to 2 s apart); once it
/// listens again, every subscriber is told once, since notifications sent meanwhile were lost. A
/// new subscriber is also told once when its channel is listened to, so a subscriber's first
/// element says "listening from now on".
final class PostgresListener: Sendable {
    private enum Event: Sendable {
        /// A subscriber joined `channel`.
        case subscribed(String)
        /// The connection of this generation failed.
        case lost(Int, any Error)
    }

    let hub = NotificationHub()
    private let location: DatabaseURL.PostgreSQLLocation
    private let logger: Logger
    private let events: AsyncStream<Event>
    private let post: AsyncStream<Event>.Continuation

    init(_ location: DatabaseURL.PostgreSQLLocation, logger: Logger) {
        self.location = location
        self.logger = logger
        (events, post) = AsyncStream.makeStream(of: Event.self)
    }

    /// A subscription to `channel`; its first element comes once the channel is listened to.
    func subscribe(_ channel: String) -> AsyncStream<Void> {
        let stream = hub.subscribe(channel)
        post.yield(.subscribed(channel))
        return stream
    }

    /// Listens until cancelled, reconnecting after failures; then ends every subscription.
    func run() async {
        defer { hub.finish() }
        var generation = 0
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: try configuration(), id: 0, logger: logger)
            } catch {
                if Task.isCancelled { return }
                logger.warning("Cannot connect to listen for notifications; trying again in \(delay): \(String(reflecting: error))")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
                continue
            }
            generation += 1
            await listen(on: connection, generation: generation)
            do {
                try await connection.close()
            } catch {
                logger.debug("Closing the notification listener's connection: \(error)")
            }
            delay = .milliseconds(100)
        }
    }

    /// Listens on `connection` to every channel with subscribers, and to new ones as they come,
    /// until the connection fails or the task is cancelled.
    private func listen(on connection: PostgresConnection, generation: Int) async {
        let hub = hub
        let post = post
        await withTaskGroup(of: Void.self) { group in
            var listening = Set<String>()
            func start(_ channel: String) {
                listening.insert(channel)
                group.addTask {
                    do {
                        try await connection.listen(on: channel) { notifications in
                            // Listening now: whatever was sent before is unknown to subscribers.
                            hub.deliver(channel)
                            for try await _ in notifications { hub.deliver(channel) }
                        }
                        if !Task.isCancelled { post.yield(.lost(generation, PostgresListenerError.ended)) }
                    } catch {
                        if !Task.isCancelled { post.yield(.lost(generation, error)) }
                    }
                }
            }
            for channel in hub.channels { start(channel) }
            for await event in events {
                switch event {
                case .subscribed(let channel):
                    // A channel already listened to: its new subscriber is told at once (the
                    // others too, harmlessly: an element means "look again").
                    if listening.contains(channel) { hub.deliver(channel) } else { start(channel) }
                case .lost(let lost, let error):
                    guard lost == generation else { continue }
                    logger.warning("The notification listener's connection failed; connecting again: \(String(reflecting: error))")
                    group.cancelAll()
                    return
                }
            }
            group.cancelAll()
        }
    }

    private func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: location.host,
            port: location.port,
            username: location.username,
            password: location.password,
            database: location.database,
            tls: tls
        )
        configuration.options.additionalStartupParameters = [("application_name", "flowline-listener")]
        return configuration
    }
}

/// The server ended a `LISTEN` without an error.
struct PostgresListenerError: Error, CustomStringConvertible {
    static let ended = PostgresListenerError(description: "the server ended the notification stream")
    var description: String
}
