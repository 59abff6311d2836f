import Foundation
public import JSON

/// A task's templates rendered for one try: what the try runs with, and what the UI shows as the
/// task instance's rendered fields.
public enum TaskTemplates {
    /// What Variable values rendered templates show: Variables may hold secrets, which viewers
    /// may not read (the REST API refuses them Variables too).
    public static let maskedVariable = "***"

    /// The rendered settings, environment and the template context of `task` in `run`.
    /// - Parameter maskVariables: render every Variable as ``maskedVariable`` (for callers who
    ///   may not read Variables).
    /// - Throws: ``TemplateError`` for an undefined variable or a bad template.
    public static func render(
        _ task: TaskDefinition, of dag: DAG, run: DagRun, tryNumber: Int, store: OrchestratorStore, workspace: URL, maskVariables: Bool = false
    ) async throws -> (settings: [String: JSONValue], environment: [String: String], context: [String: JSONValue], secrets: SecretMask) {
        // XComs and Variables are read only when the task can see them: templates, or python's context.
        let needsContext = task.operatorName == PythonOperator.name || task.usesTemplates
        let xcoms = needsContext ? try await store.xcoms(dagID: dag.dagID, runID: run.runID) : [:]
        let records = needsContext ? try await store.variables() : []
        let secrets = SecretMask(variables: Dictionary(records.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        let variables = Dictionary(records.map { ($0.key, JSONValue.string(maskVariables ? maskedVariable : $0.value)) }, uniquingKeysWith: { $1 })
        let context = TemplateContext.make(dag: dag, task: task, run: run, tryNumber: tryNumber, xcoms: xcoms, variables: variables, workspace: workspace)
        let renderer = TemplateRenderer(context: context)
        let settings = try renderer.render(task.arguments, embeddings: OperatorRegistry.named(task.operatorName)?.templateEmbeddings ?? [:])
        var environment: [String: String] = [:]
        for (name, value) in task.environment {
            // A value that is one `{{ … }}` keeps its JSON type when rendered; the environment takes its text.
            switch try renderer.render(.string(value), at: "env.\(name)") {
            case .string(let rendered): environment[name] = rendered
            case .number(let number): environment[name] = number.literal
            case let other: environment[name] = other.jsonText
            }
        }
        return (settings, environment, context, secrets)
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
            let rendered = try await TaskTemplates.render(
                task, of: dag, run: run, tryNumber: max(tryNumber, 1), store: store, workspace: configuration.folders.workspace(dagID: dagID, runID: runID),
                maskVariables: role < Role.variableReader
            )
            var fields = rendered.settings
            if !rendered.environment.isEmpty { fields["env"] = .object(rendered.environment.mapValues { .string($0) }) }
            return .success(fields.mapValues(rendered.secrets.apply(to:)))
        } catch let error as TemplateError {
            return .failure(error)
        } catch {
            return .failure(TemplateError(setting: "", line: nil, message: "\(error)"))
        }
    }
}
