import Foundation
import JSON
import OrchestratorDatabase
import Workflow

/// The OpenAPI 3.1 document of the orchestrator's API, served at `/openapi.json` (and browsable at
/// `/docs`), built from one table of operations so that it lists exactly what is served, with the
/// constraints the server checks (enums, bounds, required and unknown fields) and every status it
/// answers, so that a schema-driven fuzzer (schemathesis) can hold the server to it.
enum OrchestratorOpenAPI {
    struct Operation {
        var method: String
        var path: String
        var id: String
        var summary: String
        /// The least role that may call it; `nil` for no login (or a worker token, with `worker`).
        var role: Role?
        /// Whether it is part of the worker API, which takes worker tokens only.
        var worker = false
        var query: [Parameter] = []
        var body: String?
        var response: String?
        var status = "200"
        /// Other statuses the operation answers besides 401, 403 (with a role), 404 and 422.
        var errors: [String] = []
        /// OpenAPI links from the success response: name → (operation id, parameter → expression).
        var links: [String: (operation: String, parameters: [String: String])] = [:]
    }

    /// A query parameter; `type` in the property language of ``schemas``.
    struct Parameter {
        var name: String
        var type: String
        var description: String
        var repeated = false
    }

    static func paging(orderBy keys: [String]) -> [Parameter] {
        [
            Parameter(name: "limit", type: "integer>=0", description: "Page size (default 50, at most 100)"),
            Parameter(name: "offset", type: "integer>=0", description: "Items to skip"),
            Parameter(
                name: "order_by",
                type: "(\((keys + keys.map { "-" + $0 }).joined(separator: "|")))",
                description: "Field to order by; a leading '-' for descending",
                repeated: true
            ),
        ]
    }

    static let runPath = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}"
    static let runLinks: [String: (operation: String, parameters: [String: String])] = [
        "GetDagRun": ("get_dag_run", ["dag_id": "$response.body#/dag_id", "dag_run_id": "$response.body#/dag_run_id"]),
        "PatchDagRun": ("patch_dag_run", ["dag_id": "$response.body#/dag_id", "dag_run_id": "$response.body#/dag_run_id"]),
        "DeleteDagRun": ("delete_dag_run", ["dag_id": "$response.body#/dag_id", "dag_run_id": "$response.body#/dag_run_id"]),
        "GetTaskInstances": ("get_task_instances", ["dag_id": "$response.body#/dag_id", "dag_run_id": "$response.body#/dag_run_id"]),
    ]
    /// The try a worker moves data for, with its fencing token.
    static let dataQuery: [Parameter] = [
        Parameter(name: "dag_id", type: "string", description: "The try's DAG"),
        Parameter(name: "run_id", type: "string", description: "The try's run"),
        Parameter(name: "task_id", type: "string", description: "The try's task"),
        Parameter(name: "try_number", type: "integer", description: "The try's number"),
        Parameter(name: "lease", type: "string", description: "The try's lease"),
    ]

    static let dateFilters: [Parameter] = ["start_date", "end_date", "logical_date", "run_after"].flatMap { field in
        ["gte", "gt", "lte", "lt"].map { Parameter(name: "\(field)_\($0)", type: "date-time", description: "Runs whose \(field) is \($0) this time") }
    }

    static let operations: [Operation] = [
        Operation(
            method: "post",
            path: "/auth/token",
            id: "create_token",
            summary: "Log in: username and password give a bearer token",
            role: nil,
            body: "LoginBody",
            response: "LoginResponse",
            status: "201",
            errors: ["400", "401", "429", "503"]
        ),
        Operation(
            method: "get",
            path: "/api/v2/monitor/health",
            id: "get_health",
            summary: "Health of the database, scheduler, triggerer and DAG processor",
            role: nil,
            response: "HealthInfoResponse"
        ),
        Operation(method: "get", path: "/api/v2/version", id: "get_version", summary: "Flowline's version", role: nil, response: "VersionInfo"),
        Operation(
            method: "get",
            path: "/api/v2/dags",
            id: "get_dags",
            summary: "List DAGs",
            role: .viewer,
            query: paging(orderBy: ["dag_id", "dag_display_name", "next_dagrun"]) + [
                Parameter(
                    name: "dag_id_pattern",
                    type: "string<=200",
                    description: "SQL LIKE pattern, case-insensitive: % and _ wildcards, | for or"
                ),
                Parameter(name: "tags", type: "string", description: "Tag", repeated: true),
                Parameter(name: "tags_match_mode", type: "(any|all)", description: "Whether a DAG needs any or all of the tags"),
                Parameter(name: "owners", type: "string", description: "Owner", repeated: true),
                Parameter(name: "paused", type: "boolean", description: "Only paused or unpaused DAGs"),
                Parameter(name: "only_active", type: "boolean", description: "Hide DAGs whose file is gone (default true)"),
                Parameter(name: "exclude_stale", type: "boolean", description: "Hide DAGs whose file is gone (default true)"),
            ],
            response: "DAGCollectionResponse",
            errors: ["400"]
        ),
        Operation(method: "get", path: "/api/v2/dags/{dag_id}", id: "get_dag", summary: "Get a DAG", role: .viewer, response: "DAGResponse"),
        Operation(
            method: "patch",
            path: "/api/v2/dags/{dag_id}",
            id: "patch_dag",
            summary: "Pause or unpause a DAG",
            role: .op,
            body: "DAGPatchBody",
            response: "DAGResponse",
            errors: ["400"]
        ),
        Operation(
            method: "get",
            path: "/api/v2/dags/{dag_id}/details",
            id: "get_dag_details",
            summary: "A DAG with its settings and params",
            role: .viewer,
            response: "DAGDetailsResponse"
        ),
        Operation(
            method: "get",
            path: "/api/v2/dags/{dag_id}/tasks",
            id: "get_tasks",
            summary: "The tasks of a DAG",
            role: .viewer,
            query: [
                Parameter(
                    name: "order_by",
                    type: "string",
                    description: "task_id (the default) orders by task id; anything else keeps the file's order"
                )
            ],
            response: "TaskCollectionResponse"
        ),
        Operation(
            method: "get",
            path: "/api/v2/dags/{dag_id}/tasks/{task_id}",
            id: "get_task",
            summary: "One task of a DAG",
            role: .viewer,
            response: "TaskResponse"
        ),
        Operation(
            method: "get",
            path: "/api/v2/importErrors",
            id: "get_import_errors",
            summary: "DAG files that do not load",
            role: .viewer,
            query: paging(orderBy: []).filter { $0.name != "order_by" }
                + [Parameter(name: "filename_pattern", type: "string<=200", description: "SQL LIKE pattern on the file name")],
            response: "ImportErrorCollectionResponse"
        ),
        Operation(
            method: "get",
            path: "/api/v2/importErrors/{import_error_id}",
            id: "get_import_error",
            summary: "One import error",
            role: .viewer,
            response: "ImportErrorResponse"
        ),
        Operation(
            method: "post",
            path: "/api/v2/dags/{dag_id}/dagRuns",
            id: "trigger_dag_run",
            summary: "Trigger a run; conf is checked against the DAG's params",
            role: .op,
            body: "TriggerDAGRunPostBody",
            response: "DAGRunResponse",
            errors: ["400", "409"],
            links: runLinks
        ),
        Operation(
            method: "get",
            path: "/api/v2/dags/{dag_id}/dagRuns",
            id: "get_dag_runs",
            summary: "List runs ('~' as dag_id for all DAGs)",
            role: .viewer,
            query: paging(orderBy: RunQuery.Field.allCases.map(\.rawValue) + ["dag_run_id"])
                + [Parameter(name: "state", type: "(queued|running|success|failed)", description: "Run state", repeated: true)] + dateFilters,
            response: "DAGRunCollectionResponse",
            errors: ["400"]
        ),
        Operation(method: "get", path: runPath, id: "get_dag_run", summary: "Get a run", role: .viewer, response: "DAGRunResponse"),
        Operation(
            method: "patch",
            path: runPath,
            id: "patch_dag_run",
            summary: "Mark a run success, failed or queued; set its note",
            role: .op,
            body: "DAGRunPatchBody",
            response: "DAGRunResponse",
            errors: ["400", "409"]
        ),
        Operation(
            method: "delete",
            path: runPath,
            id: "delete_dag_run",
            summary: "Delete a run that is not running",
            role: .op,
            status: "204",
            errors: ["400", "409"]
        ),
        Operation(
            method: "post",
            path: "/api/v2/dags/{dag_id}/clearTaskInstances",
            id: "post_clear_task_instances",
            summary: "Clear task instances so they run again (dry_run defaults to true)",
            role: .op,
            body: "ClearTaskInstancesBody",
            response: "TaskInstanceCollectionResponse",
            errors: ["400", "409"]
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances",
            id: "get_task_instances",
            summary: "Task instances of a run",
            role: .viewer,
            query: paging(orderBy: []).filter { $0.name != "order_by" } + [
                Parameter(name: "state", type: "string", description: "Task state, or no_status", repeated: true),
                Parameter(name: "task_id", type: "string", description: "One task"),
            ],
            response: "TaskInstanceCollectionResponse"
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances/{task_id}",
            id: "get_task_instance",
            summary: "One task instance",
            role: .viewer,
            response: "TaskInstanceResponse"
        ),
        Operation(
            method: "patch",
            path: runPath + "/taskInstances/{task_id}",
            id: "patch_task_instance",
            summary: "Mark a task success, failed or skipped; set its note",
            role: .op,
            body: "PatchTaskInstanceBody",
            response: "TaskInstanceCollectionResponse",
            errors: ["400", "409"]
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances/{task_id}/tries",
            id: "get_task_instance_tries",
            summary: "Every try of a task",
            role: .viewer,
            response: "TaskInstanceCollectionResponse"
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances/{task_id}/logs/{try_number}",
            id: "get_log",
            summary: "A try's log: JSON, or text with Accept: text/plain; follow it with the continuation token",
            role: .viewer,
            query: [Parameter(name: "token", type: "string", description: "The continuation token of the previous answer (a byte offset)")],
            response: "TaskInstancesLogResponse"
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances/{task_id}/xcomEntries",
            id: "get_xcom_entries",
            summary: "A task's XComs",
            role: .viewer,
            query: paging(orderBy: []).filter { $0.name != "order_by" },
            response: "XComCollectionResponse"
        ),
        Operation(
            method: "get",
            path: runPath + "/taskInstances/{task_id}/xcomEntries/{xcom_key}",
            id: "get_xcom_entry",
            summary: "One XCom",
            role: .viewer,
            response: "XComResponse"
        ),
        Operation(
            method: "get",
            path: "/api/v2/variables",
            id: "get_variables",
            summary: "List variables",
            role: Role.variableReader,
            query: paging(orderBy: []).filter { $0.name != "order_by" }
                + [Parameter(name: "variable_key_pattern", type: "string<=200", description: "SQL LIKE pattern on the key")],
            response: "VariableCollectionResponse"
        ),
        Operation(
            method: "post",
            path: "/api/v2/variables",
            id: "post_variable",
            summary: "Create a variable",
            role: .admin,
            body: "VariableBody",
            response: "VariableResponse",
            status: "201",
            errors: ["400", "409"],
            links: [
                "GetVariable": ("get_variable", ["variable_key": "$response.body#/key"]),
                "DeleteVariable": ("delete_variable", ["variable_key": "$response.body#/key"]),
            ]
        ),
        Operation(
            method: "get",
            path: "/api/v2/variables/{variable_key}",
            id: "get_variable",
            summary: "Get a variable",
            role: Role.variableReader,
            response: "VariableResponse"
        ),
        Operation(
            method: "patch",
            path: "/api/v2/variables/{variable_key}",
            id: "patch_variable",
            summary: "Change a variable",
            role: .admin,
            body: "VariablePatchBody",
            response: "VariableResponse",
            errors: ["400"]
        ),
        Operation(
            method: "delete",
            path: "/api/v2/variables/{variable_key}",
            id: "delete_variable",
            summary: "Delete a variable",
            role: .admin,
            status: "204"
        ),
        Operation(
            method: "get",
            path: "/api/v2/workers",
            id: "get_workers",
            summary: "List the workers (Flower's job)",
            role: .viewer,
            query: [
                Parameter(name: "limit", type: "integer>=0", description: "At most this many"),
                Parameter(name: "offset", type: "integer>=0", description: "Skip this many"),
            ],
            response: "WorkerCollectionResponse"
        ),
        Operation(
            method: "patch",
            path: "/api/v2/workers/{worker_name}",
            id: "patch_worker",
            summary: "Put a worker in maintenance or take it out",
            role: .op,
            body: "WorkerPatchBody",
            response: "WorkerResponse",
            errors: ["400"]
        ),
        Operation(
            method: "get",
            path: "/api/v2/workerTokens",
            id: "get_worker_tokens",
            summary: "List the worker tokens",
            role: .admin,
            response: "WorkerTokenCollectionResponse"
        ),
        Operation(
            method: "post",
            path: "/api/v2/workerTokens",
            id: "post_worker_token",
            summary: "Create a worker token (shown once)",
            role: .admin,
            body: "WorkerTokenBody",
            response: "WorkerTokenResponse",
            status: "201",
            errors: ["400", "409"]
        ),
        Operation(
            method: "delete",
            path: "/api/v2/workerTokens/{token_name}",
            id: "delete_worker_token",
            summary: "Revoke a worker token",
            role: .admin,
            status: "204"
        ),
        Operation(
            method: "post",
            path: "/edge_worker/v1/worker/{worker_name}",
            id: "register_worker",
            summary: "Worker API: register a worker",
            worker: true,
            body: "WorkerRegisterBody",
            response: "WorkerRegisterResponse",
            errors: ["400", "409"]
        ),
        Operation(
            method: "patch",
            path: "/edge_worker/v1/worker/{worker_name}",
            id: "worker_heartbeat",
            summary: "Worker API: heartbeat; answers maintenance and the leases to stop",
            worker: true,
            body: "WorkerHeartbeatBody",
            response: "WorkerHeartbeatResponse",
            errors: ["400"]
        ),
        Operation(
            method: "post",
            path: "/edge_worker/v1/jobs/fetch/{worker_name}",
            id: "fetch_jobs",
            summary: "Worker API: claim tries of the worker's queues, waiting up to `wait` seconds",
            worker: true,
            body: "WorkerFetchBody",
            response: "WorkerFetchResponse",
            errors: ["400"]
        ),
        Operation(
            method: "post",
            path: "/edge_worker/v1/jobs/states/{worker_name}",
            id: "report_jobs",
            summary:
                "Worker API: report the ends of tries (fenced by try number and lease); each report: dag_id, run_id, task_id, try_number, lease, result, and log (the lines not pushed yet, at most 32 KiB)",
            worker: true,
            body: "WorkerStatesBody",
            response: "WorkerStatesResponse",
            errors: ["400"]
        ),
        Operation(
            method: "put",
            path: "/edge_worker/v1/data/{worker_name}",
            id: "put_task_output",
            summary: "Worker API: store an output file of a try the worker holds (the body, streamed)",
            worker: true,
            query: dataQuery + [
                Parameter(name: "path", type: "string", description: "The output's path in the workspace")
            ],
            status: "204",
            errors: ["400", "409", "413"]
        ),
        Operation(
            method: "delete",
            path: "/edge_worker/v1/data/{worker_name}",
            id: "clear_task_outputs",
            summary: "Worker API: forget what earlier tries of the task stored",
            worker: true,
            query: dataQuery,
            status: "204",
            errors: ["400", "409"]
        ),
        Operation(
            method: "get",
            path: "/edge_worker/v1/data/{worker_name}",
            id: "get_task_input",
            summary: "Worker API: read an output of another task of the run, as an input of a try the worker holds",
            worker: true,
            query: dataQuery + [
                Parameter(name: "from", type: "string", description: "The task that stored it"),
                Parameter(name: "path", type: "string", description: "Its path"),
            ],
            errors: ["400", "409"]
        ),
        Operation(
            method: "post",
            path: "/edge_worker/v1/logs/push/{worker_name}",
            id: "push_logs",
            summary: "Worker API: append lines to the log of a try the worker holds",
            worker: true,
            body: "WorkerLogBody",
            status: "204",
            errors: ["400", "409"]
        ),
    ]

    /// Schemas by name: property → type. Types: `string`, `integer`, `number`, `boolean`,
    /// `object`, `date-time`, `any`, `key` (a name without control characters), `text` (no NUL),
    /// `int64`; `string<=N` or `text<=N` (at most N characters), `string>=N` (at least), `integer>=N`; `(a|b)`
    /// an enum of strings; `#Name` a reference; `[T]` a list; a trailing `?` for nullable.
    static let schemas: [String: [(String, String)]] = [
        "LoginBody": [("username", "string>=1"), ("password", "string>=1")],
        "LoginResponse": [("access_token", "string"), ("token_type", "string")],
        "HealthInfoResponse": [("metadatabase", "object"), ("scheduler", "object"), ("triggerer", "object"), ("dag_processor", "object")],
        "VersionInfo": [("version", "string"), ("git_version", "string?")],
        "DAGPatchBody": [("is_paused", "boolean")],
        "DAGResponse": [
            ("dag_id", "string"), ("dag_display_name", "string"), ("is_paused", "boolean"), ("is_stale", "boolean"), ("fileloc", "string"),
            ("description", "string?"), ("timetable_summary", "string?"), ("tags", "[#DagTagResponse]"), ("owners", "[string]"),
            ("max_active_tasks", "integer"), ("max_active_runs", "integer?"), ("has_import_errors", "boolean"),
            ("next_dagrun_logical_date", "string?"), ("next_dagrun_data_interval_start", "string?"), ("next_dagrun_data_interval_end", "string?"),
        ],
        "DagTagResponse": [("name", "string"), ("dag_id", "string")],
        "DAGDetailsResponse": [
            ("dag_id", "string"), ("catchup", "boolean"), ("start_date", "string?"), ("end_date", "string?"), ("params", "object"),
            ("timezone", "string"),
        ],
        "DAGCollectionResponse": [("dags", "[#DAGResponse]"), ("total_entries", "integer")],
        "TaskResponse": [
            ("task_id", "string"), ("owner", "string"), ("trigger_rule", "string"), ("retries", "integer"), ("operator_name", "string"),
            ("downstream_task_ids", "[string]"),
        ],
        "TaskCollectionResponse": [("tasks", "[#TaskResponse]"), ("total_entries", "integer")],
        "ImportErrorResponse": [("import_error_id", "integer"), ("timestamp", "string"), ("filename", "string"), ("stack_trace", "string")],
        "ImportErrorCollectionResponse": [("import_errors", "[#ImportErrorResponse]"), ("total_entries", "integer")],
        "TriggerDAGRunPostBody": [
            ("dag_run_id", "runid?"), ("logical_date", "date-time?"), ("data_interval_start", "date-time?"), ("data_interval_end", "date-time?"),
            ("run_after", "date-time?"), ("conf", "object?"), ("note", "text?"), ("partition_key", "string?"),
        ],
        "DAGRunPatchBody": [("state", "(queued|success|failed)?"), ("note", "text<=1000?")],
        "DAGRunResponse": [
            ("dag_run_id", "string"), ("dag_id", "string"), ("logical_date", "string?"), ("queued_at", "string?"), ("start_date", "string?"),
            ("end_date", "string?"), ("duration", "number?"), ("data_interval_start", "string?"), ("data_interval_end", "string?"),
            ("run_after", "string"), ("run_type", "string"), ("state", "string"), ("triggered_by", "string"), ("triggering_user_name", "string?"),
            ("conf", "object"), ("note", "text?"),
        ],
        "DAGRunCollectionResponse": [("dag_runs", "[#DAGRunResponse]"), ("total_entries", "integer")],
        "ClearTaskInstancesBody": [
            ("dry_run", "boolean?"), ("dag_run_id", "string?"), ("task_ids", "[string]?"), ("only_failed", "boolean?"),
            ("only_running", "boolean?"), ("include_upstream", "boolean?"), ("include_downstream", "boolean?"), ("include_future", "boolean?"),
            ("include_past", "boolean?"), ("reset_dag_runs", "boolean?"), ("start_date", "date-time?"), ("end_date", "date-time?"),
            ("run_on_latest_version", "boolean?"), ("prevent_running_task", "boolean?"), ("note", "text?"),
        ],
        "PatchTaskInstanceBody": [
            ("new_state", "(success|failed|skipped)?"), ("note", "text<=1000?"), ("include_upstream", "boolean?"), ("include_downstream", "boolean?"),
            ("include_future", "boolean?"), ("include_past", "boolean?"),
        ],
        "TaskInstanceResponse": [
            ("id", "string"), ("task_id", "string"), ("dag_id", "string"), ("dag_run_id", "string"), ("state", "string?"),
            ("try_number", "integer"), ("max_tries", "integer"), ("start_date", "string?"), ("end_date", "string?"), ("duration", "number?"),
            ("operator", "string?"), ("hostname", "string?"), ("pid", "integer?"),
        ],
        "TaskInstanceCollectionResponse": [("task_instances", "[#TaskInstanceResponse]"), ("total_entries", "integer")],
        "TaskInstancesLogResponse": [("content", "[#StructuredLogMessage]"), ("continuation_token", "string?")],
        "StructuredLogMessage": [("timestamp", "string?"), ("event", "string"), ("level", "string"), ("logger", "string")],
        "XComResponse": [("key", "string"), ("task_id", "string"), ("dag_id", "string"), ("run_id", "string"), ("value", "any")],
        "XComCollectionResponse": [("xcom_entries", "[#XComResponse]"), ("total_entries", "integer")],
        "VariableBody": [("key", "key"), ("value", "any"), ("description", "text?")],
        "VariablePatchBody": [("key", "key"), ("value", "any"), ("description", "text?")],
        "VariableResponse": [("key", "string"), ("value", "string"), ("description", "string?"), ("is_encrypted", "boolean")],
        "VariableCollectionResponse": [("variables", "[#VariableResponse]"), ("total_entries", "integer")],
        "WorkerResponse": [
            ("worker_name", "string"), ("kind", "(remote|local)"), ("hostname", "string"), ("queues", "[string]"),
            ("state", "(idle|running|maintenance|offline|stopped)"), ("maintenance", "boolean"), ("maintenance_comment", "string?"),
            ("concurrency", "integer"), ("used_slots", "integer"), ("running_tries", "[string]"), ("succeeded", "integer"), ("failed", "integer"),
            ("first_online", "string"), ("last_heartbeat", "string"), ("version", "string"),
        ],
        "WorkerCollectionResponse": [("workers", "[#WorkerResponse]"), ("total_entries", "integer")],
        "WorkerPatchBody": [("maintenance", "boolean"), ("maintenance_comment", "text<=\(WorkerRecord.maximumMaintenanceComment)?")],
        "WorkerTokenBody": [("name", "string>=1")],
        "WorkerTokenResponse": [("name", "string"), ("token", "string")],
        "WorkerTokenRecord": [("name", "string"), ("created_by", "string?"), ("created_at", "string"), ("revoked_at", "string?")],
        "WorkerTokenCollectionResponse": [("worker_tokens", "[#WorkerTokenRecord]"), ("total_entries", "integer")],
        "WorkerRegisterBody": [("hostname", "string>=1"), ("queues", "[string]"), ("concurrency", "integer>=1"), ("version", "string")],
        "WorkerRegisterResponse": [("heartbeat_interval", "number"), ("worker_timeout", "number")],
        "WorkerHeartbeatBody": [("state", "(idle|running|maintenance|stopped)"), ("leases", "[string]")],
        "WorkerHeartbeatResponse": [("maintenance", "boolean"), ("stop", "[string]")],
        "WorkerFetchBody": [("queues", "[string]"), ("free_slots", "integer>=0"), ("wait", "number?")],
        "WorkerFetchResponse": [("jobs", "[object]")],
        "WorkerStatesBody": [("reports", "[object]")],
        "WorkerStatesResponse": [("results", "[object]")],
        "WorkerLogBody": [
            ("dag_id", "string"), ("run_id", "string"), ("task_id", "string"), ("try_number", "integer"), ("lease", "string"),
            ("log_chunk_data", "text"),
        ],
        "HTTPExceptionResponse": [("detail", "any")],
        "HTTPValidationError": [("detail", "[#ValidationError]")],
        "ValidationError": [("loc", "[any]"), ("msg", "string"), ("type", "string"), ("input", "any"), ("ctx", "object")],
    ]

    /// The properties a body must have.
    static let required: [String: [String]] = [
        "DAGPatchBody": ["is_paused"],
        "TriggerDAGRunPostBody": ["logical_date"],
        "VariableBody": ["key", "value"],
        "WorkerPatchBody": ["maintenance"],
        "WorkerTokenBody": ["name"],
        "WorkerRegisterBody": ["hostname", "queues", "concurrency", "version"],
        "WorkerHeartbeatBody": ["state", "leases"],
        "WorkerFetchBody": ["queues", "free_slots"],
        "WorkerStatesBody": ["reports"],
        "WorkerLogBody": ["dag_id", "run_id", "task_id", "try_number", "lease", "log_chunk_data"],
        "HTTPExceptionResponse": ["detail"],
        "HTTPValidationError": ["detail"],
        "ValidationError": ["loc", "msg", "type"],
    ]

    static func document(version: String) -> String {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            var parameters: [JSONValue] = operation.path.split(separator: "/").compactMap { segment in
                guard segment.hasPrefix("{") else { return nil }
                let name = String(segment.dropFirst().dropLast())
                return .object([
                    "name": .string(name), "in": "path", "required": .bool(true),
                    "schema": schema(name == "try_number" || name == "import_error_id" ? "int64" : "string"),
                ])
            }
            for item in operation.query {
                var parameter: [String: JSONValue] = [
                    "name": .string(item.name), "in": "query", "required": .bool(false), "description": .string(item.description),
                    "schema": item.repeated ? .object(["type": "array", "items": schema(item.type)]) : schema(item.type),
                ]
                if item.repeated {
                    parameter["style"] = "form"
                    parameter["explode"] = .bool(true)
                }
                parameters.append(.object(parameter))
            }
            var success: [String: JSONValue] = ["description": "Success"]
            if let response = operation.response {
                success["content"] = .object(["application/json": .object(["schema": reference(response)])])
            }
            if !operation.links.isEmpty {
                success["links"] = .object(
                    operation.links.mapValues { link in
                        .object(["operationId": .string(link.operation), "parameters": .object(link.parameters.mapValues { .string($0) })])
                    }
                )
            }
            var responses: [String: JSONValue] = [operation.status: .object(success), "404": error("Not found"), "422": validationError()]
            for status in operation.errors { responses[status] = error(Self.meaning[status] ?? "Refused") }
            var entry: [String: JSONValue] = [
                "operationId": .string(operation.id), "summary": .string(operation.summary), "parameters": .array(parameters),
            ]
            if operation.worker {
                entry["security"] = .array([.object(["WorkerToken": .array([])])])
                entry["description"] = .string("Needs a worker token (`flowline workers token create NAME`); user tokens are refused.")
                responses["401"] = error("No valid worker token")
            } else if let role = operation.role {
                entry["security"] = .array([.object(["HTTPBearer": .array([])])])
                entry["description"] = .string("Needs the \(role.rawValue) role or higher.")
                responses["401"] = error("No valid bearer token")
                responses["403"] = error("The role is too low")
            }
            entry["responses"] = .object(responses)
            if let body = operation.body {
                entry["requestBody"] = .object([
                    "required": .bool(true), "content": .object(["application/json": .object(["schema": reference(body)])]),
                ])
            }
            paths[operation.path, default: [:]][operation.method] = .object(entry)
        }
        var components: [String: JSONValue] = [:]
        for (name, properties) in schemas {
            var fields: [String: JSONValue] = [:]
            for (property, type) in properties { fields[property] = schema(type) }
            var component: [String: JSONValue] = ["type": "object", "properties": .object(fields)]
            if let names = required[name] { component["required"] = .array(names.map { .string($0) }) }
            // Request bodies refuse fields they do not know (Airflow's `extra: forbid`).
            if name.hasSuffix("Body") { component["additionalProperties"] = .bool(false) }
            components[name] = .object(component)
        }
        return JSONValue.object([
            "openapi": "3.1.0",
            "info": .object([
                "title": "Flowline orchestrator",
                "version": .string(version),
                "description":
                    "Airflow 3's REST API (/api/v2) as Flowline serves it: the same paths, field names, paging and errors. Log in with POST /auth/token and send the token as 'Authorization: Bearer …'.",
            ]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "schemas": .object(components),
                "securitySchemes": .object([
                    "HTTPBearer": .object(["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]),
                    "WorkerToken": .object(["type": "http", "scheme": "bearer", "description": "A worker token (flw_…)"]),
                ]),
            ]),
        ]).jsonText
    }

    /// What an error status means, for the document.
    static let meaning = [
        "400": "Refused: the request does not fit (conf against the DAG's params, a run id, a state change, a value)",
        "401": "Wrong credentials", "409": "Conflicts with what exists (a taken id, a running run, a lease no longer held)",
        "413": "Larger than the limit",
        "429": "Too many failed logins; retry after Retry-After",
        "503": "Too many logins at once; retry in a second",
    ]

    /// The paths and the methods each serves, for answering 405 to the others.
    static var methodsByPath: [String: [String]] {
        Dictionary(grouping: operations, by: \.path).mapValues { $0.map(\.method) }
    }

    private static func reference(_ name: String) -> JSONValue {
        .object(["$ref": .string("#/components/schemas/\(name)")])
    }

    private static func error(_ description: String) -> JSONValue {
        .object([
            "description": .string(description), "content": .object(["application/json": .object(["schema": reference("HTTPExceptionResponse")])]),
        ])
    }

    private static func validationError() -> JSONValue {
        .object([
            "description": "Invalid input (FastAPI's list of problems)",
            "content": .object(["application/json": .object(["schema": reference("HTTPValidationError")])]),
        ])
    }

    private static func schema(_ type: String) -> JSONValue {
        let nullable = type.hasSuffix("?")
        var base = nullable ? String(type.dropLast()) : type
        var bound: [String: JSONValue] = [:]
        if let range = base.range(of: "<=") ?? base.range(of: ">="), let limit = Int(base[range.upperBound...]) {
            let atMost = base[range] == "<="
            let isString = !base.hasPrefix("integer") && !base.hasPrefix("number")
            bound = isString ? [atMost ? "maxLength" : "minLength": .integer(limit)] : [atMost ? "maximum" : "minimum": .integer(limit)]
            base = String(base[..<range.lowerBound])
        }
        var value: JSONValue
        if base.hasPrefix("[") {
            value = .object(["type": "array", "items": schema(String(base.dropFirst().dropLast()))])
        } else if base.hasPrefix("#") {
            value = reference(String(base.dropFirst()))
        } else if base.hasPrefix("(") {
            let names = base.dropFirst().dropLast().split(separator: "|").map { JSONValue.string(String($0)) }
            value = .object(["type": "string", "enum": .array(names)])
        } else if base == "any" {
            value = .object([:])
        } else if base == "date-time" {
            value = .object(["type": "string", "format": "date-time"])
        } else if base == "key" {
            // A name: 1 to 250 characters, none of them a control character.
            value = .object([
                "type": "string", "minLength": .integer(1), "maxLength": .integer(VariableRecord.maximumKeyLength),
                "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]+$",
            ])
        } else if base == "text" {
            // Text the database keeps: no NUL character.
            value = .object(["type": "string", "pattern": "^[^\\u0000]*$"])
        } else if base == "runid" {
            value = .object([
                "type": "string", "maxLength": .integer(DagRun.maximumRunIDLength),
                "pattern": .string("^(?!\\.\\.?$)[\(DagRun.allowedRunIDCharacters)]+$"),
            ])
        } else if base == "int64" {
            value = .object(["type": "integer", "minimum": .integer(0), "maximum": .integer(Int.max)])
        } else if base == "integer", bound["minimum"] != nil {
            value = .object(["type": "integer", "maximum": .integer(Int.max)])
        } else {
            value = .object(["type": .string(base)])
        }
        if case .object(var fields) = value, !bound.isEmpty {
            fields.merge(bound) { _, bound in bound }
            value = .object(fields)
        }
        if nullable { value = .object(["anyOf": .array([value, .object(["type": "null"])])]) }
        return value
    }
}
