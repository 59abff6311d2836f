import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
public import Training
public import TrackingClient

/// Keeps the served model current: loads what the reference names and, for an alias, checks every
/// `interval` whether it moved, loading the new version when it did. A failed load keeps the
/// model that was serving.
public final class ModelWatcher: Service, Sendable {
    /// What is being served, or why nothing is.
    public struct Current: Sendable {
        public var model: LineModel?
        public var version: String?
        public var artifactURI: String?
        public var problem: String?
    }

    public let reference: ModelReference
    /// The tracking server to ask; `nil` while it is not known yet (it starts with the stack).
    let client: @Sendable () async -> TrackingClient?
    let interval: Duration
    let logger: Logger

    /// What is served, and the model that last failed to load with when to try it again:
    /// ``firstBackoff`` after the first failure, twice as long after each further one, at most
    /// ``maximumBackoff``, unless the reference moves to another model first.
    private struct State {
        var current = Current(problem: "the model is loading")
        var failure: (artifactURI: String, count: Int, retryAt: ContinuousClock.Instant)?
    }

    private let state = Mutex(State())
    /// The longest wait before loading a broken model again.
    public static let maximumBackoff: Duration = .seconds(300)

    /// The first wait before loading a broken model again; it doubles with each failure.
    let firstBackoff: Duration

    public init(
        reference: ModelReference, client: @escaping @Sendable () async -> TrackingClient?, interval: Duration = .seconds(2), firstBackoff: Duration = .seconds(2),
        logger: Logger
    ) {
        self.reference = reference
        self.client = client
        self.interval = interval
        self.firstBackoff = firstBackoff
        self.logger = logger
    }

    public convenience init(_ configuration: ServingConfiguration, client: TrackingClient, logger: Logger) {
        self.init(reference: configuration.model, client: { client }, interval: configuration.pollInterval, logger: logger)
    }

    public var current: Current { state.withLock { $0.current } }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await refresh()
            if case .alias = reference {} else if current.model != nil { break }
            let interval = interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        // A fixed reference, once loaded, needs no more checks: wait for shutdown.
        try? await gracefulShutdown()
    }

    /// Checks the reference once, loading the model when it changed.
    public func refresh() async {
        guard let client = await client() else { return }
        do {
            let (artifactURI, version) = try await client.locate(reference)
            if current.artifactURI == artifactURI, current.model != nil { return }
            if let failed = state.withLock({ $0.failure }), failed.artifactURI == artifactURI, ContinuousClock.now < failed.retryAt { return }
            let model: LineModel
            do {
                model = try await ModelLoader.load(artifactURI: artifactURI, client: client)
            } catch {
                state.withLock { state in
                    let count = state.failure?.artifactURI == artifactURI ? (state.failure?.count ?? 0) + 1 : 1
                    let wait = min(Self.maximumBackoff, firstBackoff * (1 << min(count - 1, 20)))
                    state.failure = (artifactURI, count, ContinuousClock.now + wait)
                }
                throw error
            }
            state.withLock { $0 = State(current: Current(model: model, version: version, artifactURI: artifactURI, problem: nil), failure: nil) }
            logger.notice("Serving \(reference)\(version.map { " (version \($0))" } ?? ""): \(model.kind), coefficients \(model.coefficients)")
        } catch {
            let message = (error as? TrackingClientError)?.message ?? "\(error)"
            let changed = state.withLock { state in
                defer { state.current.problem = state.current.model == nil ? message : state.current.problem }
                return state.current.problem != message
            }
            if changed { logger.warning("Cannot load \(reference): \(message)") }
        }
    }
}
