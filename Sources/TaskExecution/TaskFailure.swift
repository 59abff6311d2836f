/// A try that failed, with what to tell the user.
public struct TaskFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// Whether the try was stopped (by hand, or with its run): such a try is not retried.
    public var stopped: Bool
    public init(_ description: String, stopped: Bool = false) {
        self.description = description
        self.stopped = stopped
    }
}
