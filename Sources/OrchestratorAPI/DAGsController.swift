import Foundation
import Hummingbird
import Workflow
import HTTPSupport
import JSON
import OrchestratorDatabase

/// `dags…` and `importErrors`: listing DAGs, their details and tasks, pausing them.
struct DAGsController {
    let orchestration: Orchestration

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let orchestration = orchestration
        let store = orchestration.store
        router.get("/api/v2/dags") { request, context -> Response in
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
            records = try APIQuery.ordered(records, query: query, keys: [
                "dag_id": { $0.dagID }, "dag_display_name": { $0.dagID }, "next_dagrun": { $0.nextRun.map { DateText.format($0.start) } ?? "" },
            ], default: "dag_id")
            let page = try Paging(query)
            return .json(AirflowJSON.collection("dags", page.slice(records).map(AirflowJSON.dag), total: records.count))
        }
        router.get("/api/v2/dags/{dag_id}") { _, context -> Response in
            _ = try context.require(.viewer)
            let dagID = try context.parameters.decoded("dag_id")
            return .json(AirflowJSON.dag(try await store.dag(dagID)).jsonText)
        }
        router.patch("/api/v2/dags/{dag_id}") { request, context -> Response in
            _ = try context.require(.op)
            let dagID = try context.parameters.decoded("dag_id")
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "DAGPatchBody")
            guard case .bool(let paused)? = body["is_paused"] else {
                throw APIError.validation(type: "missing", location: ["body", "is_paused"], message: "Field required", input: .object(body))
            }
            try await orchestration.setPaused(dagID, paused)
            return .json(AirflowJSON.dag(try await store.dag(dagID)).jsonText)
        }
        router.get("/api/v2/dags/{dag_id}/details") { _, context -> Response in
            _ = try context.require(.viewer)
            let dagID = try context.parameters.decoded("dag_id")
            return .json(AirflowJSON.dagDetails(try await store.dag(dagID), dag: try? await orchestration.dag(dagID)).jsonText)
        }
        router.get("/api/v2/dags/{dag_id}/tasks") { request, context -> Response in
            _ = try context.require(.viewer)
            let dagID = try context.parameters.decoded("dag_id")
            _ = try await store.dag(dagID)
            let dag = try await orchestration.dag(dagID)
            var tasks = dag.tasks
            if request.uri.queryParameters.get("order_by") ?? "task_id" == "task_id" { tasks.sort { $0.taskID < $1.taskID } }
            return .json(AirflowJSON.collection("tasks", tasks.map { AirflowJSON.task($0, dag: dag) }, total: tasks.count))
        }
        router.get("/api/v2/dags/{dag_id}/tasks/{task_id}") { _, context -> Response in
            _ = try context.require(.viewer)
            let dag = try await orchestration.dag(try context.parameters.decoded("dag_id"))
            let taskID = try context.parameters.decoded("task_id")
            guard let task = dag.task(taskID) else { throw OrchestratorError.notFound("Task with id \(taskID) not found") }
            return .json(AirflowJSON.task(task, dag: dag).jsonText)
        }
        router.get("/api/v2/importErrors") { request, context -> Response in
            _ = try context.require(.viewer)
            var errors = try await store.importErrors()
            if let pattern = try APIQuery.pattern(request.uri.queryParameters, "filename_pattern") { errors = errors.filter { pattern.matches($0.filename) } }
            let page = try Paging(request.uri.queryParameters)
            return .json(AirflowJSON.collection("import_errors", page.slice(errors).map(AirflowJSON.importError), total: errors.count))
        }
        router.get("/api/v2/importErrors/{import_error_id}") { _, context -> Response in
            _ = try context.require(.viewer)
            let text = try context.parameters.decoded("import_error_id")
            guard let id = Int64(text) else {
                throw APIError.validation(type: "int_parsing", location: ["path", "import_error_id"], message: "Input should be a valid integer, unable to parse string as an integer", input: .string(text))
            }
            guard let error = try await store.importErrors().first(where: { $0.id == id }) else {
                throw OrchestratorError.notFound("The ImportError with import_error_id: `\(id)` was not found")
            }
            return .json(AirflowJSON.importError(error).jsonText)
        }
    }
}

/// Query parameters as Airflow reads them.
enum APIQuery {
    /// A query parameter that must be one of `names`, if given.
    /// - Throws: 422 in FastAPI's shape for another value.
    static func oneOf(_ query: Parameters, _ name: String, _ names: [String]) throws -> String? {
        guard let text = query.get(name) else { return nil }
        guard names.contains(String(text)) else {
            throw APIError.validation(type: "enum", location: ["query", .string(name)], message: "Input should be " + names.map { "'\($0)'" }.joined(separator: " or "), input: .string(String(text)))
        }
        return String(text)
    }

    /// A `*_pattern` filter (``LikePattern``); `nil` when absent or `~` (everything).
    /// - Throws: 422 in FastAPI's shape when it is longer than ``LikePattern/maximumLength``.
    static func pattern(_ query: Parameters, _ name: String) throws -> LikePattern? {
        guard let text = query.get(name), text != "~" else { return nil }
        guard let pattern = LikePattern(text) else {
            throw APIError.validation(
                type: "string_too_long", location: ["query", .string(name)],
                message: "String should have at most \(LikePattern.maximumLength) characters", input: .string(text),
                context: ["max_length": .integer(LikePattern.maximumLength)]
            )
        }
        return pattern
    }

    static func bool(_ query: Parameters, _ name: String) throws -> Bool? {
        guard let text = query.get(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw APIError.validation(type: "bool_parsing", location: ["query", .string(name)], message: "Input should be a valid boolean, unable to interpret input", input: .string(text))
        }
    }

    /// Sorts by the `order_by` keys (a `-` prefix for descending), refusing unknown keys.
    static func ordered<T>(_ items: [T], query: Parameters, keys: [String: (T) -> String], default key: String) throws -> [T] {
        let orders = query.getAll("order_by").isEmpty ? [key] : query.getAll("order_by")
        var comparators: [(T, T) -> Bool?] = []
        for order in orders {
            let descending = order.hasPrefix("-")
            let name = descending ? String(order.dropFirst()) : order
            guard let field = keys[name] else {
                throw OrchestratorError.invalid("Ordering with '\(name)' is disallowed or the attribute does not exist on the model")
            }
            comparators.append { a, b in
                let (x, y) = (field(a), field(b))
                return x == y ? nil : (descending ? x > y : x < y)
            }
        }
        return items.sorted { a, b in
            for comparator in comparators {
                if let result = comparator(a, b) { return result }
            }
            return false
        }
    }
}
