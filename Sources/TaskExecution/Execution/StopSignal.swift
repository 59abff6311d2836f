/// Asks a running try to stop: for cancelled runs and tasks marked by hand.
public final class StopSignal: Sendable {
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stops the try, giving the reason for its log.
    public func stop(_ reason: String) {
        continuation.yield(reason)
    }

    /// Waits until stopped; returns the reason (or `nil` if the waiting task was cancelled).
    public func wait() async -> String? {
        for await reason in stream { return reason }
        return nil
    }
}
