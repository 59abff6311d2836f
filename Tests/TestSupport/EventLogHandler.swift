public import Logging

/// A log handler that hands each event, with the logger's metadata merged in, to `write`.
public struct EventLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace
    private let write: @Sendable (LogEvent, Logger.Metadata) -> Void

    public init(_ write: @escaping @Sendable (LogEvent, Logger.Metadata) -> Void) {
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(event, metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
