public import Logging
import Synchronization

/// Collects log messages in memory, so tests can assert on what was logged.
public final class LogCapture: Sendable {
    private let entries = Mutex<[String]>([])

    public init() {}

    /// A logger at `level` whose messages land in this capture.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test") { _ in EventLogHandler { event, _ in self.append("\(event.level) \(event.message)") } }
        logger.logLevel = level
        return logger
    }

    /// The messages logged so far.
    public var messages: [String] { entries.withLock { $0 } }

    fileprivate func append(_ message: String) {
        entries.withLock { $0.append(message) }
    }
}
