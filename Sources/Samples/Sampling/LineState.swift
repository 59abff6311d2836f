import Synchronization

/// The service's current line, shared by all requests.
///
/// Reads and writes of the whole line are atomic, so a request never sees a gradient from one
/// update and a noise sigma from another.
public final class LineState: Sendable {
    private let line: Mutex<LineParameters>

    public init(_ initial: LineParameters = .default) {
        self.line = Mutex(initial)
    }

    /// The line as it is now.
    public var current: LineParameters {
        line.withLock { $0 }
    }

    /// Replaces the line for all later requests.
    public func replace(with newLine: LineParameters) {
        line.withLock { $0 = newLine }
    }
}
