/// Waits until `condition` holds, checking every `interval`; throws after `timeout`. Timeouts catch
/// hangs, not slowness: a loaded 2-core machine runs the whole suite at once.
public func eventually(
    timeout: Duration = .seconds(60),
    interval: Duration = .milliseconds(50),
    _ condition: @escaping @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw TestFailure("the condition did not hold within \(timeout)")
}
