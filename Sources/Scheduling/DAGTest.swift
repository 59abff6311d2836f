import Foundation
public import JSON
public import Logging
public import OrchestratorDatabase
import RunStorage
import Storage
public import TaskExecution
public import Workflow

/// Runs one DAG start to finish in this process, without a server (`flowline dags test`,
/// `flowline tasks test`): a private in-memory database, the real DAGs folder, logs echoed.
public enum DAGTest {
    /// The outcome of a test run.
    public struct Result: Sendable {
        public var run: DagRun
        public var tasks: [TaskInstance]
    }

    /// Runs `dag` once with `conf`.
    /// - Parameters:
    ///   - folders: where the DAGs folder is, and where logs and workspaces go.
    ///   - variables: the Variables the templates see.
    ///   - output: gets every log line as it is written.
    /// - Throws: ``OrchestratorError`` for invalid conf.
    public static func run(
        _ dag: DAG,
        conf: [String: JSONValue],
        folders: OrchestratorFolders,
        python: String,
        parallelism: Int = 16,
        variables: [VariableRecord] = [],
        logger: Logger,
        output: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        let database = try await Database.open(.sqliteInMemory, migrations: OrchestratorMigrations.all, logger: logger)
        let store = OrchestratorStore(database: database)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await database.run()
                return nil
            }
            for variable in variables { try await store.setVariable(variable.key, value: variable.value, description: variable.description) }
            let scheduler = Scheduler(
                store: store,
                configuration: Scheduler.Configuration(folders: folders, parallelism: parallelism, python: python, only: dag),
                logger: logger,
                echo: output
            )
            group.addTask {
                try await scheduler.run()
                return nil
            }
            await scheduler.reloadIfChanged(force: true)
            let run = try await scheduler.trigger(dag.dagID, conf: conf, triggeredBy: "test")
            var finished = try await store.run(dagID: dag.dagID, runID: run.runID)
            while !finished.state.isFinished {
                try await Task.sleep(for: .milliseconds(20))
                finished = try await store.run(dagID: dag.dagID, runID: run.runID)
            }
            let tasks = try await store.taskInstances(dagID: dag.dagID, runID: run.runID)
            // The run lived in a private database: the data its tasks stored goes with it.
            try await scheduler.configuration.runStorage.deleteRun(dagID: dag.dagID, runID: run.runID)
            group.cancelAll()
            return Result(run: finished, tasks: tasks)
        }
    }
}
