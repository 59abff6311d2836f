import Foundation
public import Logging

/// Loggers for tests.
public enum TestLogger {
    /// A logger that discards everything, unless `FLOWLINE_TEST_LOG` names a level (`debug`,
    /// `trace`…): then it appends at that level to the file `FLOWLINE_TEST_LOG_FILE` (standard error
    /// by default), a line at a time and unbuffered, to see what a hanging test was doing.
    public static var silent: Logger {
        let environment = ProcessInfo.processInfo.environment
        guard let name = environment["FLOWLINE_TEST_LOG"], let level = Logger.Level(rawValue: name) else {
            return Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        let handle = environment["FLOWLINE_TEST_LOG_FILE"].flatMap { FileHandle(forWritingAtPath: $0) } ?? .standardError
        var logger = Logger(label: "test", factory: { lineHandler(label: $0, handle: handle) })
        logger.logLevel = level
        _ = watchdogStarted
        return logger
    }

    /// Ticks logged once a second from a task and from a thread: when only the thread's go on,
    /// Swift's executor has stopped running jobs.
    private static let watchdogStarted: Bool = {
        let environment = ProcessInfo.processInfo.environment
        guard let handle = environment["FLOWLINE_TEST_LOG_FILE"].flatMap({ FileHandle(forWritingAtPath: $0) }) else { return false }
        let logger = Logger(label: "watchdog", factory: { lineHandler(label: $0, handle: handle) })
        Task.detached { [logger] in
            while true {
                logger.info("watchdog: task tick")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let thread = Thread {
            while true {
                logger.info("watchdog: thread tick")
                sleep(1)
            }
        }
        thread.start()
        return true
    }()

    /// Writes each message as one line with one `write`.
    private static func lineHandler(label: String, handle: FileHandle) -> EventLogHandler {
        EventLogHandler { event, metadata in
            let fields = metadata.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            let line = "\(Date().timeIntervalSince1970) \(event.level) \(label) [\(event.source)] \(event.message) \(fields)\n"
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
        }
    }
}
