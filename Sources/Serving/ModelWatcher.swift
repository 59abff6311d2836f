import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
public import TrackingClient
public import Training

/// Keeps the served model current: loads what the reference names and, for an alias, checks again
/// whenever it may have moved, loading the new version when it did. A failed load keeps the model
/// that was serving.
///
/// How it learns of a move is its ``Updates``: a tracking server in the same process tells it
/// (``aliasesMoved(of:)``), so a promotion is served at once and nothing is asked in between; a
/// tracking server elsewhere cannot tell, and is asked every poll interval instead.
public final class ModelWatcher: Service, Sendable {
    /// What is being served, or why nothing is.
    public struct Current: Sendable {
        public var model: LineModel?
        public var version: String?
        public var artifactURI: String?
        public var problem: String?
    }

    /// How the watcher learns that the alias it follows moved.
    public enum Updates: Sendable, Equatable {
        /// It is told, through ``ModelWatcher/aliasesMoved(of:)`` (and ``ModelWatcher/checkNow()``
        /// once the tracking server is known): the tracking server runs in this process.
        case told
        /// It asks the tracking server every `every`: the fallback for a tracking server in another
        /// process (`flowline models serve`).
        case polled(every: Duration)
    }

    public let reference: ModelReference
    /// The tracking server to ask; `nil` while it is not known yet (it starts with the stack).
    let client: @Sendable () async -> TrackingClient?
    public let updates: Updates
    let logger: Logger

    /// What is served; the model that last failed to load with when to try it again:
    /// ``firstBackoff`` after the first failure, twice as long after each further one, at most
    /// ``maximumBackoff``, unless the reference moves to another model first.
    private struct State {
        var current = Current(problem: "the model is loading")
        var failure: (artifactURI: String, count: Int, retryAt: ContinuousClock.Instant)?
        /// When a told watcher checks again by itself after a failed check (nothing else would ask).
        var retryAt: ContinuousClock.Instant?
        /// Whether the log said that the alias points at no version yet.
        var reportedUnsetAlias = false
    }

    private let state = Mutex(State())
    /// Requests for a check; one pending request stands for any number.
    private let checks: AsyncStream<Void>
    private let check: AsyncStream<Void>.Continuation
    /// How many checks have asked the tracking server (for tests: told, not polled).
    private let askedCount = Atomic<Int>(0)

    /// The longest wait before loading a broken model again.
    public static let maximumBackoff: Duration = .seconds(300)

    /// The first wait before loading a broken model again; it doubles with each failure.
    let firstBackoff: Duration

    public init(
        reference: ModelReference,
        client: @escaping @Sendable () async -> TrackingClient?,
        updates: Updates = .polled(every: .seconds(2)),
        firstBackoff: Duration = .seconds(2),
        logger: Logger
    ) {
        self.reference = reference
        self.client = client
        self.updates = updates
        self.firstBackoff = firstBackoff
        self.logger = logger
        (checks, check) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A watcher of a tracking server in another process, polled every ``ServingConfiguration/pollInterval``.
    public convenience init(_ configuration: ServingConfiguration, client: TrackingClient, logger: Logger) {
        self.init(reference: configuration.model, client: { client }, updates: .polled(every: configuration.pollInterval), logger: logger)
    }

    public var current: Current { state.withLock { $0.current } }

    /// How many times the watcher asked the tracking server what its reference names.
    public var checksAsked: Int { askedCount.load(ordering: .relaxed) }

    /// Tells the watcher that aliases of the registered model `model` were set, moved or removed
    /// (or the model renamed or deleted); it checks at once when it follows one of them.
    public func aliasesMoved(of model: String) {
        if case .alias(model, _) = reference { check.yield() }
    }

    /// Asks for a check as soon as possible, once the tracking server is known, unless a check
    /// already asked it (the first check may have found it known, or not yet).
    public func checkNow() {
        if askedCount.load(ordering: .relaxed) == 0 { check.yield() }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if case .polled(let interval) = updates {
                    group.addTask { [check] in
                        while (try? await Task.sleep(for: interval)) != nil { check.yield() }
                    }
                }
                check.yield()
                var retryScheduled: ContinuousClock.Instant?
                for await _ in checks {
                    await refresh()
                    // A fixed reference, once loaded, needs no more checks.
                    if case .alias = reference {} else if current.model != nil { break }
                    // Told, nothing else asks again after a failure: a timer does.
                    if updates == .told, let retryAt = state.withLock({ $0.retryAt }), retryAt != retryScheduled {
                        retryScheduled = retryAt
                        group.addTask { [check] in
                            if (try? await Task.sleep(until: retryAt)) != nil { check.yield() }
                        }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [check] in
            check.finish()
        }
        try? await gracefulShutdown()
    }

    /// Checks the reference once, loading the model when it changed.
    public func refresh() async {
        guard let client = await client() else { return }
        askedCount.add(1, ordering: .relaxed)
        var loadFailed = false
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
                loadFailed = true
                throw error
            }
            state.withLock { $0 = State(current: Current(model: model, version: version, artifactURI: artifactURI, problem: nil)) }
            logger.notice("Serving \(reference)\(version.map { " (version \($0))" } ?? ""): \(model.kind), coefficients \(model.coefficients)")
        } catch {
            let message = (error as? TrackingClientError)?.message ?? "\(error)"
            // An alias that points at no version is no failure: the next move of the alias is told.
            let unset = Self.isUnsetAlias(error, reference)
            let (changed, firstUnset) = state.withLock { state in
                defer { state.current.problem = state.current.model == nil ? message : state.current.problem }
                state.retryAt = unset ? nil : loadFailed ? state.failure?.retryAt : ContinuousClock.now + firstBackoff
                let first = unset && !state.reportedUnsetAlias
                if unset { state.reportedUnsetAlias = true }
                return (state.current.problem != message, first)
            }
            if unset {
                // Normal until the first promotion: said once, then only at debug level.
                if firstUnset {
                    logger.info("Nothing to serve yet: \(message); serving starts when the alias is set")
                } else {
                    logger.debug("Still nothing to serve: \(message)")
                }
            } else if changed {
                logger.warning("Cannot load \(reference): \(message)")
            }
        }
    }

    /// Whether `error` says that the alias `reference` follows points at no version (yet).
    static func isUnsetAlias(_ error: any Error, _ reference: ModelReference) -> Bool {
        guard case .alias = reference, let error = error as? TrackingClientError else { return false }
        return error.isMissingResource
    }
}
