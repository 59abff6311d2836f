import Foundation
import HTTPSupport
import Hummingbird
import JSON
import NIOCore
import OrchestratorDatabase
import Workflow

/// `dags/{dag_id}/dagRuns…`: triggering runs and reading them with their task instances.
struct DAGRunsController {
    let orchestration: Orchestration

    private var store: OrchestratorStore { orchestration.store }

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        router.post("/api/v2/dags/{dag_id}/dagRuns", use: trigger)
        router.get("/api/v2/dags/{dag_id}/dagRuns", use: list)
        router.get("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", use: get)
        router.patch("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", use: patch)
        router.delete("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", use: delete)
        router.post("/api/v2/dags/{dag_id}/clearTaskInstances", use: clearTaskInstances)
    }

    @Sendable func trigger(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let caller = try context.require(.op)
        let dagID = try context.parameters.decoded("dag_id")
        let body = try await APIRequest.jsonObject(request)
        try BodySchema.check(body, as: "TriggerDAGRunPostBody")
        // The schema checked the fields' types, and that logical_date is there (it may be null).
        let logicalDate = APIRequest.date(body, "logical_date")
        var conf: [String: JSONValue] = [:]
        if case .object(let members)? = body["conf"] { conf = members }
        let runID = APIRequest.string(body, "dag_run_id")
        let note = APIRequest.string(body, "note")
        let start = APIRequest.date(body, "data_interval_start")
        let end = APIRequest.date(body, "data_interval_end")
        guard (start == nil) == (end == nil) else {
            throw OrchestratorError.invalid("Either both data_interval_start and data_interval_end must be provided or both must be None")
        }
        let interval = start.flatMap { start in end.map { DataInterval(start: start, end: $0) } }
        let triggeredBy = request.headers[.referer] == nil ? "rest_api" : "ui"
        let run = try await orchestration.trigger(
            dagID,
            runID: runID,
            conf: conf,
            logicalDate: logicalDate,
            dataInterval: interval,
            triggeredBy: triggeredBy,
            user: caller.username,
            note: note
        )
        return .json(AirflowJSON.dagRun(run).jsonText)
    }

    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let dagID = try context.parameters.decoded("dag_id")
        let query = request.uri.queryParameters
        if dagID != "~" { _ = try await store.dag(dagID) }
        var states: [DagRunState] = []
        for name in query.getAll("state") {
            guard let state = DagRunState(rawValue: name) else {
                throw FastAPIError.validation(
                    type: "enum",
                    location: ["query", "state"],
                    message: "Input should be 'queued', 'running', 'success' or 'failed'",
                    input: .string(name)
                )
            }
            states.append(state)
        }
        let page = try Paging(query)
        var selection = RunQuery(dagID: dagID == "~" ? nil : dagID, limit: page.limit, offset: page.offset)
        selection.states = states
        selection.dateBounds = try Self.dateBounds(query)
        selection.order = try Self.order(query)
        let (runs, total) = try await store.runPage(selection)
        return .json(AirflowJSON.collection("dag_runs", runs.map(AirflowJSON.dagRun), total: total))
    }

    @Sendable func get(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await store.run(dagID: try context.parameters.decoded("dag_id"), runID: try context.parameters.decoded("dag_run_id"))
        // Flowline's lineage field: task id → the tracking run it started.
        var json = AirflowJSON.dagRun(run)
        if case .object(var fields) = json {
            let tracking = try await store.trackingRunIDs(dagID: run.dagID, runID: run.runID)
            fields["tracking_run_ids"] = .object(tracking.mapValues { .string($0) })
            json = .object(fields)
        }
        return .json(json.jsonText)
    }

    @Sendable func patch(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        let dagID = try context.parameters.decoded("dag_id")
        let runID = try context.parameters.decoded("dag_run_id")
        let body = try await APIRequest.jsonObject(request)
        try BodySchema.check(body, as: "DAGRunPatchBody")
        var run = try await store.run(dagID: dagID, runID: runID)
        if let note = APIRequest.string(body, "note") {
            run = try await orchestration.setRunNote(dagID: dagID, runID: runID, note: note)
        }
        if let state = APIRequest.string(body, "state").flatMap(DagRunState.init(rawValue:)) {
            run = try await orchestration.setRunState(dagID: dagID, runID: runID, to: state)
        }
        return .json(AirflowJSON.dagRun(run).jsonText)
    }

    @Sendable func delete(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        try await orchestration.deleteRun(dagID: try context.parameters.decoded("dag_id"), runID: try context.parameters.decoded("dag_run_id"))
        return Response(status: .noContent)
    }

    @Sendable func clearTaskInstances(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        let dagID = try context.parameters.decoded("dag_id")
        let body = try await APIRequest.jsonObject(request)
        try BodySchema.check(body, as: "ClearTaskInstancesBody")
        let dryRun = APIRequest.bool(body, "dry_run") ?? true
        let onlyFailed = APIRequest.bool(body, "only_failed") ?? true
        let downstream = APIRequest.bool(body, "include_downstream") ?? false
        var taskIDs: [String] = []
        if case .array(let items)? = body["task_ids"] {
            for item in items {
                switch item {
                case .string(let id): taskIDs.append(id)
                case .array(let pair): if case .string(let id)? = pair.first { taskIDs.append(id) }
                default: break
                }
            }
        }
        let dag = try await orchestration.dag(dagID)
        let runs: [DagRun]
        if let runID = APIRequest.string(body, "dag_run_id") {
            runs = [try await store.run(dagID: dagID, runID: runID)]
        } else {
            runs = try await store.runs(dagID: dagID, limit: 100_000).runs
        }
        var cleared: [(TaskInstance, DagRun)] = []
        for run in runs {
            let targets = taskIDs.isEmpty ? dag.tasks.map(\.taskID) : taskIDs
            let instances = try await orchestration.clear(
                dagID: dagID,
                runID: run.runID,
                taskIDs: targets,
                includeDownstream: downstream,
                onlyFailed: onlyFailed,
                dryRun: dryRun
            )
            for instance in instances { cleared.append((instance, run)) }
        }
        return .json(AirflowJSON.collection("task_instances", cleared.map { AirflowJSON.taskInstance($0.0, run: $0.1) }, total: cleared.count))
    }

    /// `start_date_gte`, `end_date_lte`, `logical_date_gt`, … filters.
    /// `start_date_gte`, `logical_date_lt` and the like.
    static func dateBounds(_ query: Parameters) throws -> [(field: RunQuery.Field, comparison: RunQuery.Comparison, date: Date)] {
        var bounds: [(field: RunQuery.Field, comparison: RunQuery.Comparison, date: Date)] = []
        for field in [RunQuery.Field.start_date, .end_date, .logical_date, .run_after] {
            for comparison in RunQuery.Comparison.allCases {
                let name = "\(field.rawValue)_\(comparison.rawValue)"
                guard let text = query.get(name) else { continue }
                guard let bound = DateText.parse(text) else {
                    throw FastAPIError.validation(
                        type: "datetime_from_date_parsing",
                        location: ["query", .key(name)],
                        message: "Input should be a valid datetime",
                        input: .string(text)
                    )
                }
                bounds.append((field, comparison, bound))
            }
        }
        return bounds
    }

    /// The `order_by` keys (a `-` prefix for descending; `dag_run_id` is `run_id`), `id` by default.
    static func order(_ query: Parameters) throws -> [(field: RunQuery.Field, descending: Bool)] {
        let keys: [String] = query.getAll("order_by").isEmpty ? ["id"] : query.getAll("order_by").map { String($0) }
        return try keys.map { key in
            let descending = key.hasPrefix("-")
            let name = descending ? String(key.dropFirst()) : key
            guard let field = RunQuery.Field(rawValue: name == "dag_run_id" ? "run_id" : name) else {
                throw OrchestratorError.invalid("Ordering with '\(name)' is disallowed or the attribute does not exist on the model")
            }
            return (field, descending)
        }
    }
}
