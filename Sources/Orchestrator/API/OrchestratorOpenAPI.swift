import HTTPSupport

/// The OpenAPI 3.1 document of the orchestrator's API, served at `/openapi.json` (and browsable at
/// `/docs`), built from one table of operations so that it lists exactly what is served.
enum OrchestratorOpenAPI {
    struct Operation {
        var method: String
        var path: String
        var id: String
        var summary: String
        /// The least role that may call it; `nil` for no login.
        var role: Role?
        var query: [(name: String, type: String, description: String)] = []
        var body: String?
        var response: String?
        var status = "200"
    }

    static let paging: [(name: String, type: String, description: String)] = [
        ("limit", "integer", "Page size (default 50, at most 100)"), ("offset", "integer", "Items to skip"),
        ("order_by", "string", "Field to order by; a leading '-' for descending"),
    ]

    static let operations: [Operation] = [
        Operation(method: "post", path: "/auth/token", id: "create_token", summary: "Log in: username and password give a bearer token", role: nil,
                  body: "LoginBody", response: "LoginResponse", status: "201"),
        Operation(method: "get", path: "/api/v2/monitor/health", id: "get_health", summary: "Health of the database, scheduler, triggerer and DAG processor", role: nil),
        Operation(method: "get", path: "/api/v2/version", id: "get_version", summary: "Flowline's version", role: nil),
        Operation(method: "get", path: "/api/v2/dags", id: "get_dags", summary: "List DAGs", role: .viewer,
                  query: paging + [("dag_id_pattern", "string", "Case-insensitive substring; % and _ wildcards; | for or"), ("tags", "string", "Tag (repeatable)"),
                                   ("tags_match_mode", "string", "any or all"), ("owners", "string", "Owner (repeatable)"), ("paused", "boolean", "Only paused or unpaused DAGs"),
                                   ("only_active", "boolean", "Hide DAGs whose file is gone (default true)")],
                  response: "DAGCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}", id: "get_dag", summary: "Get a DAG", role: .viewer, response: "DAGResponse"),
        Operation(method: "patch", path: "/api/v2/dags/{dag_id}", id: "patch_dag", summary: "Pause or unpause a DAG", role: .op, body: "DAGPatchBody", response: "DAGResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/details", id: "get_dag_details", summary: "A DAG with its settings and params", role: .viewer, response: "DAGDetailsResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/tasks", id: "get_tasks", summary: "The tasks of a DAG", role: .viewer, response: "TaskCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/tasks/{task_id}", id: "get_task", summary: "One task of a DAG", role: .viewer, response: "TaskResponse"),
        Operation(method: "get", path: "/api/v2/importErrors", id: "get_import_errors", summary: "DAG files that do not load", role: .viewer,
                  query: paging + [("filename_pattern", "string", "Substring of the file name")], response: "ImportErrorCollectionResponse"),
        Operation(method: "get", path: "/api/v2/importErrors/{import_error_id}", id: "get_import_error", summary: "One import error", role: .viewer, response: "ImportErrorResponse"),
        Operation(method: "post", path: "/api/v2/dags/{dag_id}/dagRuns", id: "trigger_dag_run", summary: "Trigger a run; conf is checked against the DAG's params", role: .op,
                  body: "TriggerDAGRunPostBody", response: "DAGRunResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns", id: "get_dag_runs", summary: "List runs ('~' as dag_id for all DAGs)", role: .viewer,
                  query: paging + [("state", "string", "queued, running, success or failed (repeatable)"), ("start_date_gte", "string", "ISO date-time"),
                                   ("start_date_lte", "string", "ISO date-time"), ("logical_date_gte", "string", "ISO date-time"), ("logical_date_lte", "string", "ISO date-time")],
                  response: "DAGRunCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", id: "get_dag_run", summary: "Get a run", role: .viewer, response: "DAGRunResponse"),
        Operation(method: "patch", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", id: "patch_dag_run", summary: "Mark a run success, failed or queued; set its note", role: .op,
                  body: "DAGRunPatchBody", response: "DAGRunResponse"),
        Operation(method: "delete", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", id: "delete_dag_run", summary: "Delete a run that is not running", role: .op, status: "204"),
        Operation(method: "post", path: "/api/v2/dags/{dag_id}/clearTaskInstances", id: "post_clear_task_instances", summary: "Clear task instances so they run again (dry_run defaults to true)",
                  role: .op, body: "ClearTaskInstancesBody", response: "TaskInstanceCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances", id: "get_task_instances", summary: "Task instances of a run", role: .viewer,
                  query: paging + [("state", "string", "Task state (repeatable)"), ("task_id", "string", "One task")], response: "TaskInstanceCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}", id: "get_task_instance", summary: "One task instance", role: .viewer,
                  response: "TaskInstanceResponse"),
        Operation(method: "patch", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}", id: "patch_task_instance", summary: "Mark a task success, failed or skipped; set its note",
                  role: .op, body: "PatchTaskInstanceBody", response: "TaskInstanceCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries", id: "get_task_instance_tries", summary: "Every try of a task",
                  role: .viewer, response: "TaskInstanceCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}", id: "get_log",
                  summary: "A try's log: JSON, or text with Accept: text/plain; follow it with the continuation token", role: .viewer,
                  query: [("token", "string", "The continuation token of the previous answer")], response: "TaskInstancesLogResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries", id: "get_xcom_entries", summary: "A task's XComs",
                  role: .viewer, query: paging, response: "XComCollectionResponse"),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}", id: "get_xcom_entry", summary: "One XCom",
                  role: .viewer, response: "XComResponse"),
        Operation(method: "get", path: "/api/v2/variables", id: "get_variables", summary: "List variables", role: .op,
                  query: paging + [("variable_key_pattern", "string", "Substring of the key")], response: "VariableCollectionResponse"),
        Operation(method: "post", path: "/api/v2/variables", id: "post_variable", summary: "Create a variable", role: .admin, body: "VariableBody", response: "VariableResponse", status: "201"),
        Operation(method: "get", path: "/api/v2/variables/{variable_key}", id: "get_variable", summary: "Get a variable", role: .op, response: "VariableResponse"),
        Operation(method: "patch", path: "/api/v2/variables/{variable_key}", id: "patch_variable", summary: "Change a variable", role: .admin, body: "VariableBody", response: "VariableResponse"),
        Operation(method: "delete", path: "/api/v2/variables/{variable_key}", id: "delete_variable", summary: "Delete a variable", role: .admin, status: "204"),
    ]

    /// Schemas by name: property → JSON type (`"string"`, `"integer"`, `"#Name"` for a reference,
    /// `"[#Name]"` for a list of them, a trailing `?` for nullable).
    static let schemas: [String: [(String, String)]] = [
        "LoginBody": [("username", "string"), ("password", "string")],
        "LoginResponse": [("access_token", "string"), ("token_type", "string")],
        "DAGPatchBody": [("is_paused", "boolean")],
        "DAGResponse": [("dag_id", "string"), ("dag_display_name", "string"), ("is_paused", "boolean"), ("is_stale", "boolean"), ("fileloc", "string"),
                        ("description", "string?"), ("timetable_summary", "string?"), ("tags", "[#DagTagResponse]"), ("owners", "[string]"),
                        ("max_active_tasks", "integer"), ("max_active_runs", "integer?"), ("has_import_errors", "boolean"),
                        ("next_dagrun_logical_date", "string?"), ("next_dagrun_data_interval_start", "string?"), ("next_dagrun_data_interval_end", "string?")],
        "DagTagResponse": [("name", "string"), ("dag_id", "string")],
        "DAGDetailsResponse": [("dag_id", "string"), ("catchup", "boolean"), ("start_date", "string?"), ("end_date", "string?"), ("params", "object"), ("timezone", "string")],
        "DAGCollectionResponse": [("dags", "[#DAGResponse]"), ("total_entries", "integer")],
        "TaskResponse": [("task_id", "string"), ("owner", "string"), ("trigger_rule", "string"), ("retries", "integer"), ("operator_name", "string"),
                         ("downstream_task_ids", "[string]")],
        "TaskCollectionResponse": [("tasks", "[#TaskResponse]"), ("total_entries", "integer")],
        "ImportErrorResponse": [("import_error_id", "integer"), ("timestamp", "string"), ("filename", "string"), ("stack_trace", "string")],
        "ImportErrorCollectionResponse": [("import_errors", "[#ImportErrorResponse]"), ("total_entries", "integer")],
        "TriggerDAGRunPostBody": [("dag_run_id", "string?"), ("logical_date", "string?"), ("data_interval_start", "string?"), ("data_interval_end", "string?"),
                                  ("conf", "object"), ("note", "string?")],
        "DAGRunPatchBody": [("state", "string"), ("note", "string?")],
        "DAGRunResponse": [("dag_run_id", "string"), ("dag_id", "string"), ("logical_date", "string?"), ("queued_at", "string?"), ("start_date", "string?"),
                           ("end_date", "string?"), ("duration", "number?"), ("data_interval_start", "string?"), ("data_interval_end", "string?"),
                           ("run_after", "string"), ("run_type", "string"), ("state", "string"), ("triggered_by", "string"), ("triggering_user_name", "string?"),
                           ("conf", "object"), ("note", "string?")],
        "DAGRunCollectionResponse": [("dag_runs", "[#DAGRunResponse]"), ("total_entries", "integer")],
        "ClearTaskInstancesBody": [("dry_run", "boolean"), ("dag_run_id", "string?"), ("task_ids", "[string]"), ("only_failed", "boolean"),
                                   ("include_downstream", "boolean")],
        "PatchTaskInstanceBody": [("new_state", "string"), ("note", "string?")],
        "TaskInstanceResponse": [("id", "string"), ("task_id", "string"), ("dag_id", "string"), ("dag_run_id", "string"), ("state", "string?"),
                                 ("try_number", "integer"), ("max_tries", "integer"), ("start_date", "string?"), ("end_date", "string?"), ("duration", "number?"),
                                 ("operator", "string?"), ("hostname", "string?"), ("pid", "integer?")],
        "TaskInstanceCollectionResponse": [("task_instances", "[#TaskInstanceResponse]"), ("total_entries", "integer")],
        "TaskInstancesLogResponse": [("content", "[#StructuredLogMessage]"), ("continuation_token", "string?")],
        "StructuredLogMessage": [("timestamp", "string?"), ("event", "string"), ("level", "string"), ("logger", "string")],
        "XComResponse": [("key", "string"), ("task_id", "string"), ("dag_id", "string"), ("run_id", "string"), ("value", "object")],
        "XComCollectionResponse": [("xcom_entries", "[#XComResponse]"), ("total_entries", "integer")],
        "VariableBody": [("key", "string"), ("value", "string"), ("description", "string?")],
        "VariableResponse": [("key", "string"), ("value", "string"), ("description", "string?"), ("is_encrypted", "boolean")],
        "VariableCollectionResponse": [("variables", "[#VariableResponse]"), ("total_entries", "integer")],
        "HTTPExceptionResponse": [("detail", "string")],
    ]

    static func document(version: String) -> String {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            var parameters: [JSONValue] = operation.path.split(separator: "/").compactMap { segment in
                guard segment.hasPrefix("{") else { return nil }
                let name = String(segment.dropFirst().dropLast())
                return .object(["name": .string(name), "in": "path", "required": .bool(true),
                                "schema": .object(["type": .string(name == "try_number" || name == "import_error_id" ? "integer" : "string")])])
            }
            for item in operation.query {
                parameters.append(.object(["name": .string(item.name), "in": "query", "required": .bool(false), "description": .string(item.description),
                                           "schema": .object(["type": .string(item.type)])]))
            }
            var responses: [String: JSONValue] = [
                operation.status: .object(["description": "Success"].merging(operation.response.map {
                    ["content": .object(["application/json": .object(["schema": reference($0)])])]
                } ?? [:]) { $1 }),
                "404": error("Not found"), "422": error("Invalid input"),
            ]
            var entry: [String: JSONValue] = ["operationId": .string(operation.id), "summary": .string(operation.summary), "parameters": .array(parameters)]
            if let role = operation.role {
                entry["security"] = .array([.object(["HTTPBearer": .array([])])])
                entry["description"] = .string("Needs the \(role.rawValue) role or higher.")
                responses["401"] = error("No valid bearer token")
                responses["403"] = error("The role is too low")
            }
            entry["responses"] = .object(responses)
            if let body = operation.body {
                entry["requestBody"] = .object(["required": .bool(true), "content": .object(["application/json": .object(["schema": reference(body)])])])
            }
            paths[operation.path, default: [:]][operation.method] = .object(entry)
        }
        var components: [String: JSONValue] = [:]
        for (name, properties) in schemas {
            var fields: [String: JSONValue] = [:]
            for (property, type) in properties { fields[property] = schema(type) }
            components[name] = .object(["type": "object", "properties": .object(fields)])
        }
        return JSONValue.object([
            "openapi": "3.1.0",
            "info": .object([
                "title": "Flowline orchestrator",
                "version": .string(version),
                "description": "Airflow 3's REST API (/api/v2) as Flowline serves it: the same paths, field names, paging and errors. Log in with POST /auth/token and send the token as 'Authorization: Bearer …'.",
            ]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "schemas": .object(components),
                "securitySchemes": .object(["HTTPBearer": .object(["type": "http", "scheme": "bearer", "bearerFormat": "JWT"])]),
            ]),
        ]).jsonText
    }

    private static func reference(_ name: String) -> JSONValue {
        .object(["$ref": .string("#/components/schemas/\(name)")])
    }

    private static func error(_ description: String) -> JSONValue {
        .object(["description": .string(description), "content": .object(["application/json": .object(["schema": reference("HTTPExceptionResponse")])])])
    }

    private static func schema(_ type: String) -> JSONValue {
        let nullable = type.hasSuffix("?")
        let base = nullable ? String(type.dropLast()) : type
        var value: JSONValue
        if base.hasPrefix("[") {
            value = .object(["type": "array", "items": schema(String(base.dropFirst().dropLast()))])
        } else if base.hasPrefix("#") {
            value = reference(String(base.dropFirst()))
        } else {
            value = .object(["type": .string(base)])
        }
        if nullable { value = .object(["anyOf": .array([value, .object(["type": "null"])])]) }
        return value
    }
}
