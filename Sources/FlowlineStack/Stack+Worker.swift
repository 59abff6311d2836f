public import Logging
public import WorkerAgent

extension Stack {
    /// Runs `flowline worker` until SIGTERM or SIGINT, which drain it (running tries finish and
    /// are reported first).
    public static func worker(_ configuration: WorkerConfiguration, logger: Logger) async throws {
        raiseDescriptorLimit(logger: logger)
        try await run([Worker(configuration: configuration, logger: logger.labelled("flowline.worker"))], logger: logger)
    }
}
