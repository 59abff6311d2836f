import Foundation
import JSON
import Hummingbird
import NIOCore
import OrchestratorDatabase
import Workflow
import HTTPSupport

/// `dags/{dag_id}/dagRuns…`: triggering runs and reading them with their task instances.
struct DAGRunsController {
    let orchestration: Orchestration

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let orchestration = orchestration
        let store = orchestration.store
        router.post("/api/v2/dags/{dag_id}/dagRuns") { request, context -> Response in
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
                dagID, runID: runID, conf: conf, logicalDate: logicalDate, dataInterval: interval, triggeredBy: triggeredBy, user: caller.username, note: note
            )
            return .json(AirflowJSON.dagRun(run).jsonText)
        }
        router.get("/api/v2/dags/{dag_id}/dagRuns") { request, context -> Response in
            _ = try context.require(.viewer)
            let dagID = try context.parameters.decoded("dag_id")
            let query = request.uri.queryParameters
            if dagID != "~" { _ = try await store.dag(dagID) }
            var states: [DagRunState] = []
            for name in query.getAll("state") {
                guard let state = DagRunState(rawValue: name) else {
                    throw APIError.validation(type: "enum", location: ["query", "state"], message: "Input should be 'queued', 'running', 'success' or 'failed'", input: .string(name))
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
        router.get("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}") { _, context -> Response in
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
        router.patch("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}") { request, context -> Response in
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
        router.delete("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}") { _, context -> Response in
            _ = try context.require(.op)
            try await orchestration.deleteRun(dagID: try context.parameters.decoded("dag_id"), runID: try context.parameters.decoded("dag_run_id"))
            return Response(status: .noContent)
        }
        router.post("/api/v2/dags/{dag_id}/clearTaskInstances") { request, context -> Response in
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
                    dagID: dagID, runID: run.runID, taskIDs: targets, includeDownstream: downstream, onlyFailed: onlyFailed, dryRun: dryRun
                )
                for instance in instances { cleared.append((instance, run)) }
            }
            return .json(AirflowJSON.collection("task_instances", cleared.map { AirflowJSON.taskInstance($0.0, run: $0.1) }, total: cleared.count))
        }
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
                    throw APIError.validation(type: "datetime_from_date_parsing", location: ["query", .string(name)], message: "Input should be a valid datetime", input: .string(text))
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

/// Airflow's `limit` (default 50, at most 100) and `offset` query parameters.
struct Paging {
    static let defaultLimit = 50
    static let maximumLimit = 100

    var limit: Int
    var offset: Int

    init(_ query: Parameters) throws {
        limit = try Self.integer(query, "limit") ?? Self.defaultLimit
        offset = try Self.integer(query, "offset") ?? 0
        limit = min(limit, Self.maximumLimit)
    }

    func slice<T>(_ items: [T]) -> ArraySlice<T> {
        items.dropFirst(offset).prefix(limit)
    }

    private static func integer(_ query: Parameters, _ name: String) throws -> Int? {
        guard let text = query.get(name) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw APIError.validation(type: "int_parsing", location: ["query", .string(name)], message: "Input should be a valid integer, unable to parse string as an integer", input: .string(String(text)))
        }
        return value
    }
}

/// Reading Airflow-style request bodies.
enum APIRequest {
    static let maximumBodySize = 1 << 20

    static func jsonObject(_ request: Request) async throws -> [String: JSONValue] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        guard buffer.readableBytes > 0 else {
            throw APIError.validation(type: "missing", location: ["body"], message: "Field required", input: .null)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError.validation(type: "json_invalid", location: ["body", .integer(0)], message: "JSON decode error", input: .object([:]), context: ["error": .string("\(error)")])
        }
        guard case .object(let members) = value else {
            throw APIError.validation(type: "model_attributes_type", location: ["body"], message: "Input should be a valid dictionary or object to extract fields from", input: value)
        }
        return members
    }

    /// A string field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func string(_ body: [String: JSONValue], _ field: String) -> String? {
        if case .string(let text)? = body[field] { text } else { nil }
    }

    /// A boolean field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func bool(_ body: [String: JSONValue], _ field: String) -> Bool? {
        if case .bool(let flag)? = body[field] { flag } else { nil }
    }

    /// A `date-time` field of a body ``BodySchema`` checked; `nil` when absent or null.
    static func date(_ body: [String: JSONValue], _ field: String) -> Date? {
        string(body, field).flatMap(DateText.parse)
    }

    /// `text`, unless it holds a NUL character, which SQLite would cut and PostgreSQL cannot store
    /// (for fields of any JSON type, which the schema cannot check).
    static func storable(_ text: String, field: String) throws -> String {
        guard !text.utf8.contains(0) else {
            throw APIError.validation(
                type: "value_error", location: ["body", .string(field)], message: "Value error, the text holds a NUL character (\\u0000), which cannot be stored",
                input: .string(text)
            )
        }
        return text
    }
}

/// A request the API refuses in FastAPI's validation shape (422).
struct APIError: Error {
    var status: HTTPResponse.Status
    var body: JSONValue

    static func validation(type: String, location: [JSONValue], message: String, input: JSONValue, context: [String: JSONValue] = [:]) -> APIError {
        var issue: [String: JSONValue] = ["type": .string(type), "loc": .array(location), "msg": .string(message), "input": input]
        if !context.isEmpty { issue["ctx"] = .object(context) }
        return APIError(status: .unprocessableContent, body: .object(["detail": .array([.object(issue)])]))
    }
}
