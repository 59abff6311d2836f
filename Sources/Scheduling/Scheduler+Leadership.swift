import Foundation
import Logging
import OrchestratorDatabase
import Storage
import Workflow

/// Which of several servers on one PostgreSQL database schedules: the holder of the `scheduler`
/// lease. The others load the DAGs folder and serve their API (whose actions reach the database
/// directly) and tell the leader of each change through `NOTIFY flowline_scheduler`.
///
/// On SQLite the one server always schedules: no lease, no notification, no round trip.
extension Scheduler {
    /// How a scheduler takes part in the election of the one that schedules.
    public struct Leadership: Sendable {
        /// The lease that the scheduling server holds.
        public static let leaseName = "scheduler"
        /// The channel that tells the scheduling server that a run or task changed elsewhere.
        public static let channel = "flowline_scheduler"
        /// The channel that tells every server that tries were queued for workers (their long polls).
        public static let queuedChannel = "flowline_queued"
        /// How long a lease lasts without renewal: how long scheduling stops when its server dies.
        public static let defaultLease: Duration = .seconds(10)

        /// How long the lease lasts without renewal (`--scheduler-lease`).
        public var lease: Duration
        /// How often it is renewed (or, by the others, tried): a fifth of ``lease``.
        public var renewal: Duration { lease / 5 }

        public init(lease: Duration = Self.defaultLease) {
            self.lease = lease
        }
    }

    /// What this scheduler knows of its leadership.
    struct LeadershipState: Sendable {
        /// Whether the lease is held (always, on SQLite).
        var isLeader: Bool
        /// Until when the lease is surely held, by this process's monotonic clock (measured from
        /// before the statement that took it, so never later than the database's expiry);
        /// `nil`: for ever (SQLite).
        var validUntil: ContinuousClock.Instant?

        /// Whether a scheduling pass may run now.
        func mayPass(at now: ContinuousClock.Instant) -> Bool {
            guard isLeader else { return false }
            return validUntil.map { now < $0 } ?? true
        }
    }

    /// Whether several servers may share this scheduler's database (PostgreSQL).
    nonisolated var sharesDatabase: Bool { store.database.flavor == .postgresql }

    /// The leadership a new scheduler starts with: the leader on SQLite, not yet on PostgreSQL.
    static func initialLeadership(_ store: OrchestratorStore) -> LeadershipState {
        LeadershipState(isLeader: store.database.flavor != .postgresql, validUntil: nil)
    }

    /// At start, on SQLite, the tries the last run of this server lost are recovered; on
    /// PostgreSQL that waits for the lease (``recoverOnLeadership()``).
    func recoverAtStart() async throws {
        if !sharesDatabase { try await recoverOnLeadership() }
    }

    /// A run or task changed through this server: the scheduling server passes at once (told by
    /// `NOTIFY` when it is another one; should the notification be lost, its rescan catches up).
    func announceChange() async {
        wake.yield()
        guard sharesDatabase, !leadership.isLeader else { return }
        do {
            try await store.database.notify(Leadership.channel)
        } catch {
            logger.warning("Cannot tell the scheduling server of a change (it sees it at its next rescan): \(error)")
        }
    }

    /// On PostgreSQL, takes part in the election until cancelled: tries to take or renew the lease
    /// every ``Leadership/renewal``, and listens to ``Leadership/channel``; on cancellation gives
    /// the lease up, so another server takes over at once. Returns at once on SQLite.
    func holdLeadership() async {
        guard sharesDatabase else { return }
        let settings = configuration.leadership
        let store = store
        let holder = store.hostname
        await withDiscardingTaskGroup { group in
            group.addTask { await self.listenForChanges() }
            while !Task.isCancelled {
                let started = ContinuousClock.now
                let held: Bool
                do {
                    held = try await store.acquireLease(Leadership.leaseName, holder: holder, duration: settings.lease)
                } catch {
                    logger.warning("Cannot renew the scheduler lease: \(error)")
                    held = false
                }
                await leaseChecked(held: held, validUntil: started + settings.lease)
                try? await Task.sleep(until: started + settings.renewal)
            }
            group.cancelAll()
        }
        guard leadership.isLeader else { return }
        leadership = LeadershipState(isLeader: false, validUntil: nil)
        do {
            try await store.releaseLease(Leadership.leaseName, holder: holder)
        } catch {
            logger.debug("Cannot give the scheduler lease up at shutdown (it expires): \(error)")
        }
    }

    /// Records the outcome of taking or renewing the lease: gaining it forgets what this
    /// scheduler knew of task instances and recovers its own lost tries, then passes; losing it
    /// stops the passes at once.
    private func leaseChecked(held: Bool, validUntil: ContinuousClock.Instant) async {
        if !held {
            if leadership.isLeader { logger.warning("This server lost the scheduler lease: another server schedules now") }
            leadership = LeadershipState(isLeader: false, validUntil: nil)
            // Some server schedules (or will within a lease): the health check reports this one's view.
            lastHeartbeat = Date()
            return
        }
        if leadership.isLeader {
            leadership.validUntil = validUntil
            return
        }
        logger.notice("This server holds the scheduler lease and schedules")
        forgetKnownInstances()
        // Workers of the server that stopped need a moment to reach this one: none is judged
        // silent before a whole worker timeout has passed.
        workersCheckedAt = Date().addingTimeInterval(configuration.workerTimeout.seconds)
        do {
            try await recoverOnLeadership()
        } catch {
            logger.error("Recovering lost tries failed: \(error)")
        }
        leadership = LeadershipState(isLeader: true, validUntil: validUntil)
        wake.yield()
    }

    /// The recovery a server does as it first becomes the scheduling one: the tries that its own
    /// local executor (``Configuration/workerName``) held when it last stopped. Tries of other
    /// servers and workers are theirs (the worker heartbeats decide when they are lost); and once
    /// this process has recovered, its own running tries are never taken for lost ones.
    func recoverOnLeadership() async throws {
        guard !recoveredAtStart else { return }
        try await recoverLostTries()
        recoveredAtStart = true
    }

    /// On PostgreSQL, wakes this server's waiting workers whenever any server queues tries.
    func listenForQueuedWork() async {
        guard sharesDatabase else { return }
        let notifications: AsyncStream<Void>
        do {
            notifications = try store.database.notifications(on: Leadership.queuedChannel)
        } catch {
            logger.error("Cannot listen for queued tries (workers of this server then look each second): \(error)")
            return
        }
        for await _ in notifications { queuedWork.notify() }
    }

    /// Tells every server's waiting workers that tries were queued.
    func announceQueuedWork() async {
        queuedWork.notify()
        guard sharesDatabase else { return }
        try? await store.database.notify(Leadership.queuedChannel)
    }

    /// Passes at once when told of a change made through another server (while leading).
    private func listenForChanges() async {
        let notifications: AsyncStream<Void>
        do {
            notifications = try store.database.notifications(on: Leadership.channel)
        } catch {
            logger.error("Cannot listen for changes made through other servers (they are seen at each rescan): \(error)")
            return
        }
        for await _ in notifications { heardOfChange() }
    }

    private func heardOfChange() {
        guard leadership.isLeader else { return }
        // What changed elsewhere is unknown: the next pass reads the running runs' tasks again.
        forgetKnownInstances()
        wake.yield()
    }
}
