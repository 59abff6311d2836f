import Foundation
import Logging
import OrchestratorDatabase
import Scheduling
import Storage
import TaskExecution
import TestSupport
import Testing
import Workflow

/// Several schedulers (servers) on one PostgreSQL database: one schedules, the holder of the
/// `scheduler` lease; the others tell it of their changes by `NOTIFY`.
@Suite("Scheduler leadership", .serialized)
struct LeadershipTests {
    static let postgresql = TestDatabaseKind.available.filter { $0 == .postgresql }

    static let dag = """
        tasks:
          - {id: first, operator: bash, command: "echo one"}
          - {id: second, operator: bash, upstream: [first], command: "echo two"}
        """

    @Test("Of two servers one schedules: every try of a run triggered through either is the leader's", arguments: postgresql)
    func oneSchedules(kind: TestDatabaseKind) async throws {
        try await Servers.with(kind, count: 2, rescan: .milliseconds(200)) { servers async throws in
            let leader = try await servers.leader()
            for server in servers.schedulers {
                let run = try await servers.finished(try await server.trigger("pair"))
                #expect(run.state == .success)
                for instance in try await servers.store.taskInstances(dagID: "pair", runID: run.runID) {
                    #expect(instance.hostname == leader.store.hostname)
                }
            }
        }
    }

    @Test("A trigger through a server that does not schedule is scheduled at once, woken by NOTIFY, not by the rescan", arguments: postgresql)
    func notifyWakesLeader(kind: TestDatabaseKind) async throws {
        // The rescan, the fall-back that would also find the run, waits ten minutes here.
        try await Servers.with(kind, count: 2, rescan: .seconds(600)) { servers async throws in
            let leader = try await servers.leader()
            let other = try #require(servers.schedulers.first { $0 !== leader })
            let started = ContinuousClock.now
            let run = try await servers.finished(try await other.trigger("pair"), timeout: .seconds(30))
            #expect(run.state == .success)
            #expect(ContinuousClock.now - started < .seconds(30))
            for instance in try await servers.store.taskInstances(dagID: "pair", runID: run.runID) {
                #expect(instance.hostname == leader.store.hostname)
            }
        }
    }

    @Test(
        "When the scheduling server stops, another takes the lease within its duration and finishes the runs triggered through it",
        arguments: postgresql
    )
    func failover(kind: TestDatabaseKind) async throws {
        try await Servers.with(kind, count: 2, rescan: .milliseconds(200), lease: .seconds(2)) { servers async throws in
            let leader = try await servers.leader()
            let other = try #require(servers.schedulers.first { $0 !== leader })
            let stopped = ContinuousClock.now
            servers.stop(leader)
            try await eventually(timeout: .seconds(30)) {
                (try? await servers.store.lease(Scheduler.Leadership.leaseName))?.holder == other.store.hostname
            }
            // Within the lease and a renewal, with room for a loaded machine.
            #expect(ContinuousClock.now - stopped < .seconds(2) + .milliseconds(400) + .seconds(5))
            let run = try await servers.finished(try await other.trigger("pair"))
            #expect(run.state == .success)
            for instance in try await servers.store.taskInstances(dagID: "pair", runID: run.runID) {
                #expect(instance.hostname == other.store.hostname)
            }
        }
    }
}

extension LeadershipTests {
    @Test("A server that gains the lease recovers the tries its own executor held and lost, never another server's", arguments: postgresql)
    func recoversOwnTries(kind: TestDatabaseKind) async throws {
        try await Servers.with(
            kind,
            count: 1,
            rescan: .milliseconds(200),
            prepare: { database async throws in
                // Left running by this server's last life ("server-0:8080") and by another, live one.
                let dag = try DAGFileParser.parse(LeadershipTests.dag, file: "pair.yaml").get()
                let mine = OrchestratorStore(database: database, hostname: "server-0:8080")
                let theirs = OrchestratorStore(database: database, hostname: "elsewhere:8080")
                let run = try await mine.createManualRun(dag, runID: "lost")
                try await mine.setRunState(run, to: .running)
                for (store, taskID) in [(mine, "first"), (theirs, "second")] {
                    var instance = try await store.taskInstance(dagID: "pair", runID: "lost", taskID: taskID)
                    instance = try await store.transition(instance, to: .scheduled) { $0.tryNumber += 1 }
                    instance = try await store.transition(instance, to: .queued)
                    _ = try await store.transition(instance, to: .running) { [holder = store.hostname] in $0.worker = holder }
                }
            }
        ) { servers async throws in
            _ = try await servers.leader()
            try await eventually {
                (try? await servers.store.taskInstance(dagID: "pair", runID: "lost", taskID: "first"))?.state?.isActive == false
            }
            let first = try await servers.store.taskInstance(dagID: "pair", runID: "lost", taskID: "first")
            #expect(first.message?.contains("the try was lost") == true)
            let second = try await servers.store.taskInstance(dagID: "pair", runID: "lost", taskID: "second")
            #expect(second.state == .running)
            #expect(second.hostname == "elsewhere:8080")
        }
    }
}

/// Schedulers with their own `Database` (as separate servers would have) on one PostgreSQL
/// schema and one DAGs folder.
final class Servers: Sendable {
    let schedulers: [Scheduler]
    /// A store on the shared database, for the test's own reads.
    let store: OrchestratorStore
    private let tasks: [Task<Void, any Error>]

    private init(schedulers: [Scheduler], store: OrchestratorStore, tasks: [Task<Void, any Error>]) {
        self.schedulers = schedulers
        self.store = store
        self.tasks = tasks
    }

    static func with(
        _ kind: TestDatabaseKind,
        count: Int,
        rescan: Duration,
        lease: Duration = Scheduler.Leadership.defaultLease,
        prepare: @escaping @Sendable (Database) async throws -> Void = { _ in },
        _ body: @escaping @Sendable (Servers) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("flowline-servers")
        defer { directory.remove() }
        let trace = TestLogger.silent
        try await withTestDatabaseURL(kind) { url in
            // The test's own database reads outlive every server.
            var databases: [Database] = []
            for _ in 0...count { databases.append(try await Database.open(url, migrations: OrchestratorMigrations.all, logger: TestLogger.silent)) }
            let dags = directory.url.appendingPathComponent("dags")
            try FileManager.default.createDirectory(at: dags, withIntermediateDirectories: true)
            try Data(LeadershipTests.dag.utf8).write(to: dags.appendingPathComponent("pair.yaml"))
            let observer = databases[0]
            let observing = Task { try await observer.run() }
            defer { observing.cancel() }
            try await prepare(observer)
            var schedulers: [Scheduler] = []
            var tasks: [Task<Void, any Error>] = []
            for (index, database) in databases.dropFirst().enumerated() {
                let folders = OrchestratorFolders(
                    dags: dags,
                    logs: directory.url.appendingPathComponent("logs-\(index)"),
                    workspaces: directory.url.appendingPathComponent("workspaces-\(index)")
                )
                var configuration = Scheduler.Configuration(
                    folders: folders,
                    parallelism: 4,
                    python: "python3",
                    rescanInterval: rescan,
                    leadership: Scheduler.Leadership(lease: lease)
                )
                // Each server's local executor is a worker of its own name.
                configuration.workerName = "server-\(index):8080"
                let scheduler = Scheduler(
                    store: OrchestratorStore(database: database, hostname: "server-\(index):8080"),
                    configuration: configuration,
                    logger: TestLogger.silent
                )
                schedulers.append(scheduler)
                // The database outlives its scheduler: stopping a server stops the scheduler only.
                tasks.append(Task { try await withRunning(database) { _ in try await scheduler.run() } })
            }
            let servers = Servers(schedulers: schedulers, store: OrchestratorStore(database: observer), tasks: tasks)
            trace.info("servers: waiting for \(schedulers.count) to start")
            for scheduler in schedulers { await scheduler.waitUntilStarted() }
            trace.info("servers: started")
            do {
                try await body(servers)
            } catch {
                trace.info("servers: body threw \(error)")
                await servers.stopAll()
                throw error
            }
            trace.info("servers: body done; stopping")
            await servers.stopAll()
            trace.info("servers: stopped")
        }
    }

    /// The scheduler that holds the lease, once one does.
    func leader() async throws -> Scheduler {
        try await eventually(timeout: .seconds(30)) { (try? await self.store.lease(Scheduler.Leadership.leaseName)) != nil }
        let holder = try await store.lease(Scheduler.Leadership.leaseName)?.holder
        guard let leader = schedulers.first(where: { $0.store.hostname == holder }) else { throw TestFailure("no scheduler holds the lease") }
        return leader
    }

    /// Stops the server of `scheduler`: its scheduler and its database connections.
    func stop(_ scheduler: Scheduler) {
        guard let index = schedulers.firstIndex(where: { $0 === scheduler }) else { return }
        tasks[index].cancel()
    }

    private func stopAll() async {
        for task in tasks { task.cancel() }
        for (index, task) in tasks.enumerated() {
            _ = await task.result
            TestLogger.silent.info("servers: server \(index) stopped")
        }
    }

    /// Waits until `run` has finished.
    func finished(_ run: DagRun, timeout: Duration = .seconds(60)) async throws -> DagRun {
        let store = store
        try await eventually(timeout: timeout, interval: .milliseconds(20)) {
            (try? await store.run(dagID: run.dagID, runID: run.runID))?.state.isFinished == true
        }
        return try await store.run(dagID: run.dagID, runID: run.runID)
    }
}
