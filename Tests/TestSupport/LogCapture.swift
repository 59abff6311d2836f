public import Logging
import Synchronization

/// Collects log messages in memory, so tests can assert on what was logged.
public final class LogCapture: Sendable {
    private let entries = Mutex<[String]>([])

    public init() {}

    /// A logger at `level` whose messages land in this capture.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// The messages logged so far.
    public var messages: [String] { entries.withLock { $0 } }

    fileprivate func append(_ message: String) {
        entries.withLock { $0.append(message) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.level) \(event.message)")
        }
    }
}
