import Foundation
public import JSON
public import OrchestratorDatabase
import TaskExecution
public import Workflow

/// Describing a try for the task side, from the DAG, the run, and what the store holds
/// (XComs and Variables, read only when the task's templates or context can see them).
enum TaskWorkloads {
    /// The workload of try `tryNumber` of `task` in `run`.
    static func make(_ task: TaskDefinition, of dag: DAG, run: DagRun, tryNumber: Int, store: OrchestratorStore, workspace: URL) async throws -> TaskWorkload {
        let (context, secrets) = try await templateContext(task, of: dag, run: run, tryNumber: tryNumber, store: store, workspace: workspace, maskVariables: false)
        return TaskWorkload(
            dagID: dag.dagID, runID: run.runID, taskID: task.taskID, tryNumber: tryNumber, operatorName: task.operatorName,
            settings: task.arguments, environment: task.environment, executionTimeout: task.executionTimeout, owner: task.owner,
            templateContext: context, secrets: secrets.values
        )
    }

    /// The variables `task`'s templates see in `run`, and the Variable values to hide.
    /// - Parameter maskVariables: show every Variable as ``TaskTemplates/maskedVariable`` (for
    ///   callers who may not read Variables).
    static func templateContext(
        _ task: TaskDefinition, of dag: DAG, run: DagRun, tryNumber: Int, store: OrchestratorStore, workspace: URL, maskVariables: Bool
    ) async throws -> (context: [String: JSONValue], secrets: SecretMask) {
        let readsContext = TaskTemplates.readsContext(task)
        let xcoms = readsContext ? try await store.xcoms(dagID: dag.dagID, runID: run.runID) : [:]
        let records = readsContext ? try await store.variables() : []
        let secrets = SecretMask(variables: Dictionary(records.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        let variables = Dictionary(records.map { ($0.key, JSONValue.string(maskVariables ? TaskTemplates.maskedVariable : $0.value)) }, uniquingKeysWith: { $1 })
        let context = TemplateContext.make(dag: dag, task: task, run: run, tryNumber: tryNumber, xcoms: xcoms, variables: variables, workspace: workspace)
        return (context, secrets)
    }
}

extension Scheduler {
    /// A task instance's templates as its current try sees them (the UI's rendered fields):
    /// settings and `env`, or why they cannot be rendered now. Variables show as
    /// ``TaskTemplates/maskedVariable`` unless `role` may read them (op and admin).
    public func renderedFields(dagID: String, runID: String, taskID: String, for role: Role) async -> Result<[String: JSONValue], TemplateError> {
        guard let dag = try? dag(dagID), let task = dag.task(taskID), let run = try? await store.run(dagID: dagID, runID: runID) else {
            return .success([:])
        }
        let tryNumber = (try? await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID).tryNumber) ?? 1
        do {
            let (context, secrets) = try await TaskWorkloads.templateContext(
                task, of: dag, run: run, tryNumber: max(tryNumber, 1), store: store,
                workspace: configuration.folders.workspace(dagID: dagID, runID: runID), maskVariables: role < Role.variableReader
            )
            let rendered = try TaskTemplates.render(settings: task.arguments, environment: task.environment, operatorName: task.operatorName, context: context)
            var fields = rendered.settings
            if !rendered.environment.isEmpty { fields["env"] = .object(rendered.environment.mapValues { .string($0) }) }
            return .success(fields.mapValues(secrets.apply(to:)))
        } catch let error as TemplateError {
            return .failure(error)
        } catch {
            return .failure(TemplateError(setting: "", line: nil, message: "\(error)"))
        }
    }
}
