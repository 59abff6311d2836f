public import Logging

/// Loggers for tests.
public enum TestLogger {
    /// A logger that discards everything.
    public static var silent: Logger { Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }) }
}
