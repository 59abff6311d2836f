import Foundation
import JSON
import Logging
import OrchestratorDatabase
import Scheduling
import Storage
import TaskExecution
import TestSupport
import Testing
import Workflow

/// A scheduler on a fresh database of one kind, with DAG files in a temporary folder.
struct Harness: Sendable {
    let scheduler: Scheduler
    let store: OrchestratorStore
    let folders: OrchestratorFolders

    /// Runs `body` with a running scheduler over `files` (name → contents) in its DAGs folder.
    static func with(
        _ kind: TestDatabaseKind,
        files: [String: String],
        parallelism: Int = 8,
        configure: @Sendable (inout Scheduler.Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (Harness) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("flowline-orchestrator")
        defer { directory.remove() }
        let folders = OrchestratorFolders(
            dags: directory.url.appendingPathComponent("dags"),
            logs: directory.url.appendingPathComponent("logs"),
            workspaces: directory.url.appendingPathComponent("workspaces")
        )
        try FileManager.default.createDirectory(at: folders.dags, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folders.dags.appendingPathComponent(name)) }
        try await withTestDatabase(kind, migrations: OrchestratorMigrations.all) { database in
            let store = OrchestratorStore(database: database)
            var configuration = Scheduler.Configuration(
                folders: folders,
                parallelism: parallelism,
                python: "python3",
                rescanInterval: .milliseconds(200)
            )
            configure(&configuration)
            let scheduler = Scheduler(store: store, configuration: configuration, logger: TestLogger.silent)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                await scheduler.reloadIfChanged(force: true)
                do {
                    try await body(Harness(scheduler: scheduler, store: store, folders: folders))
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
        }
    }

    func trigger(_ dagID: String, conf: [String: JSONValue] = [:]) async throws -> DagRun {
        try await scheduler.trigger(dagID, conf: conf)
    }

    /// Waits until the run has finished (or `timeout` passes, which fails the test).
    @discardableResult
    func finished(_ run: DagRun, timeout: Duration = .seconds(60)) async throws -> DagRun {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = try await store.run(dagID: run.dagID, runID: run.runID)
            if current.state.isFinished { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("run \(run.runID) did not finish within \(timeout); tasks: \(try await states(run))")
    }

    /// Task id → state of a run.
    func states(_ run: DagRun) async throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try await store.taskInstances(dagID: run.dagID, runID: run.runID).map { ($0.taskID, $0.state?.rawValue ?? "none") }
        )
    }

    func instance(_ run: DagRun, _ taskID: String) async throws -> TaskInstance {
        try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
    }

    func log(_ run: DagRun, _ taskID: String, try tryNumber: Int = 1) throws -> String {
        let url = TaskLog.url(logsFolder: folders.logs, dagID: run.dagID, runID: run.runID, taskID: taskID, tryNumber: tryNumber)
        return try String(contentsOf: url, encoding: .utf8)
    }

    func workspace(_ run: DagRun) -> URL {
        folders.workspace(dagID: run.dagID, runID: run.runID)
    }
}

/// Whether a live process (not a zombie) has this id or, for a negative id, is in this process
/// group. Zombies count as gone: a container's init may not reap orphans.
func processExists(_ pid: Int32) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries where Int32(entry) != nil {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        // After "pid (comm) ": state ppid pgrp …
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z" else { continue }
        if pid > 0 ? Int32(entry) == pid : Int32(fields[2]) == -pid { return true }
    }
    return false
}

/// Runs `body` with an orchestrator store on a fresh database of `kind`.
func withOrchestratorStore(_ kind: TestDatabaseKind, _ body: @escaping @Sendable (OrchestratorStore) async throws -> Void) async throws {
    try await withTestDatabase(kind, migrations: OrchestratorMigrations.all) { database in
        try await body(OrchestratorStore(database: database))
    }
}

extension OrchestratorStore {
    /// A manual run of `dag` named `runID`, due now, without conf: the run most tests need.
    func createManualRun(_ dag: DAG, runID: String) async throws -> DagRun {
        try await createRun(
            dag,
            runID: runID,
            runType: .manual,
            logicalDate: nil,
            dataInterval: nil,
            runAfter: Date(),
            conf: [:],
            params: [:],
            triggeredBy: "test"
        )
    }
}
