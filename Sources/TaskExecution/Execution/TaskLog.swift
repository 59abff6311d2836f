public import Foundation
public import JSON
import Synchronization

#if canImport(Glibc)
import Glibc
public import Workflow
#endif

/// The log of one try of a task: `logs/dag_id=…/run_id=…/task_id=…/attempt=N.log` under the data
/// directory, one line per event: `<ISO time> <LEVEL> <source>: <text>`, written as it happens.
public final class TaskLog: Sendable {
    public enum Level: String, Sendable {
        case info = "INFO"
        case warning = "WARNING"
        case error = "ERROR"
    }

    /// The log file.
    public let url: URL
    private let descriptor: Mutex<Int32>
    /// Also print each line here (`flowline dags test`).
    private let echo: (@Sendable (String) -> Void)?
    /// Secret values hidden in every line written from now on.
    private let secrets = Mutex(SecretMask.none)

    /// The path of a try's log under `logsFolder`, in Airflow's layout.
    public static func url(logsFolder: URL, dagID: String, runID: String, taskID: String, tryNumber: Int) -> URL {
        URL(
            fileURLWithPath: "\(logsFolder.path)/dag_id=\(dagID)/run_id=\(safe(runID))/task_id=\(taskID)/attempt=\(tryNumber).log",
            isDirectory: false
        )
    }

    /// A run id as one path component. New run ids cannot hold anything else
    /// (``DagRun/runIDProblem(_:)``), but runs stored by earlier versions may: `/` and control
    /// characters become `_`, and `.`, `..` or an empty id never name this folder or its parent.
    static func safe(_ component: String) -> String {
        let cleaned = String(component.unicodeScalars.map { $0 == "/" || $0.properties.generalCategory == .control ? "_" : Character($0) })
        return cleaned.isEmpty || cleaned.allSatisfy({ $0 == "." }) ? "_" + cleaned : cleaned
    }

    /// Opens (appending to) the log at `url`, creating its folders.
    public init(url: URL, echo: (@Sendable (String) -> Void)? = nil) throws {
        self.url = url
        self.echo = echo
        try Folders.ensure(url.deletingLastPathComponent())
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TaskFailure("cannot open the task log \(url.path): \(String(cString: strerror(errno)))") }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Hides these secrets in the lines written from now on.
    public func mask(_ secrets: SecretMask) {
        self.secrets.withLock { $0 = secrets }
    }

    /// `value` with the secrets this log hides masked alike (an XCom taken from printed output).
    public func masked(_ value: JSONValue) -> JSONValue {
        secrets.withLock { $0 }.apply(to: value)
    }

    /// Appends one line from `source` (`stdout`, `stderr`, `flowline`).
    public func write(_ text: String, level: Level = .info, source: String = "flowline") {
        let shown = secrets.withLock { $0 }.apply(text)
        let line = "\(Self.timestamp()) \(level.rawValue) \(source): \(shown)\n"
        appendBytes(Array(line.utf8))
        echo?(line.dropLast().description)
    }

    /// Writes `bytes` at the end of the file, whole.
    func appendBytes(_ bytes: [UInt8]) {
        descriptor.withLock { fd in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return -1 }
                    return Glibc.write(fd, base + offset, raw.count - offset)
                }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    static func timestamp() -> String {
        DateText.format(Date())
    }

    /// The lines of a log file, parsed: time, level, source, text.
    public static func entries(of text: String) -> [(timestamp: String, level: String, source: String, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let colon = parts[2].firstIndex(of: ":") else {
                return ("", "INFO", "", String(line))
            }
            let source = String(parts[2][..<colon])
            let rest = parts[2][parts[2].index(after: colon)...]
            return (String(parts[0]), String(parts[1]), source, String(rest.dropFirst(rest.hasPrefix(" ") ? 1 : 0)))
        }
    }
}

extension TaskLog {
    /// Appends lines already formatted by another ``TaskLog`` (a worker's, streamed to the
    /// server), ending them with a newline if the text does not.
    public func append(_ text: String) {
        guard !text.isEmpty else { return }
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        appendBytes(bytes)
    }
}
