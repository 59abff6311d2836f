import Foundation
public import JSON
public import OrchestratorDatabase
import TaskExecution
public import Workflow

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
            let (context, secrets) = try await TaskRunner.templateContext(
                task,
                of: dag,
                run: run,
                tryNumber: max(tryNumber, 1),
                store: store,
                workspace: configuration.folders.workspace(dagID: dagID, runID: runID),
                maskVariables: role < Role.variableReader
            )
            let rendered = try TaskTemplates.render(
                settings: task.arguments,
                environment: task.environment,
                operatorName: task.operatorName,
                context: context
            )
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
