import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorDatabase
import Workflow

/// `dags…` and `importErrors`: listing DAGs, their details and tasks, pausing them.
struct DAGsController {
    let orchestration: Orchestration

    private var store: OrchestratorStore { orchestration.store }

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        router.get("/api/v2/dags", use: list)
        router.get("/api/v2/dags/{dag_id}", use: get)
        router.patch("/api/v2/dags/{dag_id}", use: patch)
        router.get("/api/v2/dags/{dag_id}/details", use: details)
        router.get("/api/v2/dags/{dag_id}/tasks", use: tasks)
        router.get("/api/v2/dags/{dag_id}/tasks/{task_id}", use: task)
        router.get("/api/v2/importErrors", use: importErrors)
        router.get("/api/v2/importErrors/{import_error_id}", use: importError)
    }

    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let query = request.uri.queryParameters
        var records = try await store.dags()
        let excludeStale = try APIQuery.bool(query, "exclude_stale") ?? true
        let onlyActive = try APIQuery.bool(query, "only_active") ?? true
        if excludeStale, onlyActive {
            records = records.filter(\.isActive)
        }
        if let pattern = try APIQuery.pattern(query, "dag_id_pattern") {
            records = records.filter { pattern.matches($0.dagID) }
        }
        if let paused = try APIQuery.bool(query, "paused") { records = records.filter { $0.isPaused == paused } }
        let tags = query.getAll("tags")
        let matchAll = try APIQuery.oneOf(query, "tags_match_mode", ["any", "all"]) == "all"
        if !tags.isEmpty {
            records = records.filter { record in matchAll ? tags.allSatisfy(record.tags.contains) : tags.contains(where: record.tags.contains) }
        }
        let owners = query.getAll("owners")
        if !owners.isEmpty { records = records.filter { $0.owners.contains(where: owners.contains) } }
        records = try APIQuery.ordered(
            records,
            query: query,
            keys: [
                "dag_id": { $0.dagID }, "dag_display_name": { $0.dagID }, "next_dagrun": { $0.nextRun.map { DateText.format($0.start) } ?? "" },
            ],
            default: "dag_id"
        )
        let page = try Paging(query)
        return .json(AirflowJSON.collection("dags", page.slice(records).map(AirflowJSON.dag), total: records.count))
    }

    @Sendable func get(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let dagID = try context.parameters.decoded("dag_id")
        return .json(AirflowJSON.dag(try await store.dag(dagID)).jsonText)
    }

    @Sendable func patch(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        let dagID = try context.parameters.decoded("dag_id")
        let body = try await APIRequest.jsonObject(request)
        try BodySchema.check(body, as: "DAGPatchBody")
        guard case .bool(let paused)? = body["is_paused"] else {
            throw FastAPIError.validation(type: "missing", location: ["body", "is_paused"], message: "Field required", input: .object(body))
        }
        try await orchestration.setPaused(dagID, paused)
        return .json(AirflowJSON.dag(try await store.dag(dagID)).jsonText)
    }

    @Sendable func details(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let dagID = try context.parameters.decoded("dag_id")
        return .json(AirflowJSON.dagDetails(try await store.dag(dagID), dag: try? await orchestration.dag(dagID)).jsonText)
    }

    @Sendable func tasks(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let dagID = try context.parameters.decoded("dag_id")
        _ = try await store.dag(dagID)
        let dag = try await orchestration.dag(dagID)
        var tasks = dag.tasks
        if request.uri.queryParameters.get("order_by") ?? "task_id" == "task_id" { tasks.sort { $0.taskID < $1.taskID } }
        return .json(AirflowJSON.collection("tasks", tasks.map { AirflowJSON.task($0, dag: dag) }, total: tasks.count))
    }

    @Sendable func task(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let dag = try await orchestration.dag(try context.parameters.decoded("dag_id"))
        let taskID = try context.parameters.decoded("task_id")
        guard let task = dag.task(taskID) else { throw OrchestratorError.notFound("Task with id \(taskID) not found") }
        return .json(AirflowJSON.task(task, dag: dag).jsonText)
    }

    @Sendable func importErrors(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        var errors = try await store.importErrors()
        if let pattern = try APIQuery.pattern(request.uri.queryParameters, "filename_pattern") {
            errors = errors.filter { pattern.matches($0.filename) }
        }
        let page = try Paging(request.uri.queryParameters)
        return .json(AirflowJSON.collection("import_errors", page.slice(errors).map(AirflowJSON.importError), total: errors.count))
    }

    @Sendable func importError(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let text = try context.parameters.decoded("import_error_id")
        guard let id = Int64(text) else {
            throw FastAPIError.validation(
                type: "int_parsing",
                location: ["path", "import_error_id"],
                message: "Input should be a valid integer, unable to parse string as an integer",
                input: .string(text)
            )
        }
        guard let error = try await store.importErrors().first(where: { $0.id == id }) else {
            throw OrchestratorError.notFound("The ImportError with import_error_id: `\(id)` was not found")
        }
        return .json(AirflowJSON.importError(error).jsonText)
    }
}
