import Foundation
import JSON
import OrchestratorDatabase
import Workflow

/// The wire form of orchestrator entities, in Airflow 3's REST API shapes.
enum AirflowJSON {
    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(DateText.format($0)) } ?? .null
    }

    static func dagRun(_ run: DagRun) -> JSONValue {
        let duration: JSONValue =
            if let start = run.startDate, let end = run.endDate {
                .number(JSONNumber(literal: String(end.timeIntervalSince(start)), doubleValue: end.timeIntervalSince(start), isIntegerLiteral: false))
            } else {
                .null
            }
        return .object([
            "dag_run_id": .string(run.runID),
            "dag_id": .string(run.dagID),
            "dag_display_name": .string(run.dagID),
            "logical_date": date(run.logicalDate),
            "queued_at": date(run.queuedAt),
            "start_date": date(run.startDate),
            "end_date": date(run.endDate),
            "duration": duration,
            "data_interval_start": date(run.dataInterval?.start),
            "data_interval_end": date(run.dataInterval?.end),
            "run_after": date(run.runAfter),
            "last_scheduling_decision": .null,
            "run_type": .string(run.runType.rawValue),
            "state": .string(run.state.rawValue),
            "triggered_by": .string(run.triggeredBy),
            "triggering_user_name": run.triggeringUser.map { .string($0) } ?? .null,
            "conf": .object(run.conf),
            "note": run.note.map { .string($0) } ?? .null,
            "dag_versions": .array([]),
            "bundle_version": .null,
        ])
    }

    /// A task instance; `trackingRunID` is the tracking run its try started (project tasks), a
    /// Flowline field next to Airflow's.
    static func taskInstance(_ instance: TaskInstance, run: DagRun, trackingRunID: String? = nil) -> JSONValue {
        let duration: JSONValue =
            instance.duration.map { .number(JSONNumber(literal: String($0), doubleValue: $0, isIntegerLiteral: false)) } ?? .null
        return .object([
            "id": .string(stableID(instance)),
            "task_id": .string(instance.taskID),
            "dag_id": .string(instance.dagID),
            "dag_run_id": .string(instance.runID),
            "map_index": .integer(-1),
            "logical_date": date(run.logicalDate),
            "run_after": date(run.runAfter),
            "start_date": date(instance.startDate),
            "end_date": date(instance.endDate),
            "duration": duration,
            "state": instance.state.map { .string($0.rawValue) } ?? .null,
            "try_number": .integer(instance.tryNumber),
            "max_tries": .integer(instance.maxTries),
            "task_display_name": .string(instance.taskID),
            "dag_display_name": .string(instance.dagID),
            "hostname": .string(instance.hostname),
            "unixname": .string(ProcessInfo.processInfo.environment["USER"] ?? ""),
            "pool": .string("default_pool"),
            "pool_slots": .integer(1),
            "queue": .string("default"),
            "priority_weight": .integer(1),
            "operator": .string(instance.operatorName),
            "operator_name": .string(instance.operatorName),
            "queued_when": date(instance.queuedAt),
            "scheduled_when": date(instance.scheduledAt),
            "pid": instance.pid.map { .integer($0) } ?? .null,
            "executor": .string("LocalExecutor"),
            "executor_config": .string("{}"),
            "note": instance.note.map { .string($0) } ?? .null,
            "tracking_run_id": trackingRunID.map { .string($0) } ?? .null,
            "rendered_map_index": .null,
            "rendered_fields": .object([:]),
            "trigger": .null,
            "triggerer_job": .null,
            "dag_version": .null,
        ])
    }

    /// A UUID-shaped id derived from the task instance's key, stable across calls.
    static func stableID(_ instance: TaskInstance) -> String {
        let key = "\(instance.dagID)\u{0}\(instance.runID)\u{0}\(instance.taskID)"
        let high = RetryPolicy.fnv1a("a" + key)
        let low = RetryPolicy.fnv1a("b" + key)
        let hex = String(format: "%016llx%016llx", high, low)
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

extension AirflowJSON {
    static func strings(_ values: [String]) -> JSONValue {
        .array(values.map { .string($0) })
    }

    /// `DAGResponse`.
    static func dag(_ record: DagRecord) -> JSONValue {
        .object(dagFields(record))
    }

    static func dagFields(_ record: DagRecord) -> [String: JSONValue] {
        [
            "dag_id": .string(record.dagID),
            "dag_display_name": .string(record.dagID),
            "is_paused": .bool(record.isPaused),
            "is_stale": .bool(!record.isActive),
            "last_parsed_time": date(record.lastParsedTime),
            "last_parse_duration": .null,
            "last_expired": .null,
            "bundle_name": .string("dags-folder"),
            "bundle_version": .null,
            "relative_fileloc": .string(record.fileLocation),
            "fileloc": .string(record.fileLocation),
            "description": record.description.map { .string($0) } ?? .null,
            "timetable_summary": record.schedule.map { .string($0) } ?? .null,
            "timetable_description": record.schedule.map { .string("Schedule: \($0)") } ?? .string("Never, external triggers only"),
            "timetable_partitioned": .bool(false),
            "timetable_periodic": .bool(record.schedule != nil && record.schedule != "@once"),
            "tags": .array(
                record.tags.map { .object(["name": .string($0), "dag_id": .string(record.dagID), "dag_display_name": .string(record.dagID)]) }
            ),
            "max_active_tasks": .integer(record.maxActiveTasks),
            "max_active_runs": .integer(record.maxActiveRuns),
            "max_consecutive_failed_dag_runs": .integer(0),
            "has_task_concurrency_limits": .bool(false),
            "has_import_errors": .bool(record.hasImportErrors),
            "next_dagrun_logical_date": date(record.nextRun?.start),
            "next_dagrun_data_interval_start": date(record.nextRun?.start),
            "next_dagrun_data_interval_end": date(record.nextRun?.end),
            "next_dagrun_run_after": date(record.nextRun?.end),
            "allowed_run_types": .null,
            "owners": strings(record.owners),
            "is_backfillable": .bool(false),
            "file_token": .string(record.fileLocation),
        ]
    }

    /// `DAGDetailsResponse`: the DAG plus its settings.
    static func dagDetails(_ record: DagRecord, dag: DAG?) -> JSONValue {
        var fields = dagFields(record)
        var params: [String: JSONValue] = [:]
        for param in dag?.params ?? [] {
            params[param.name] = .object([
                "__class": .string("airflow.sdk.definitions.param.Param"),
                "value": param.defaultValue ?? .null,
                "description": param.description.map { .string($0) } ?? .null,
                "schema": .object(param.schema.keywords),
            ])
        }
        fields["catchup"] = .bool(dag?.catchup ?? false)
        fields["dag_run_timeout"] = .null
        fields["doc_md"] = .null
        fields["start_date"] = date(dag?.startDate)
        fields["end_date"] = date(dag?.endDate)
        fields["params"] = .object(params)
        fields["timezone"] = .string("UTC")
        fields["default_args"] = .object([:])
        fields["template_search_path"] = .null
        fields["is_paused_upon_creation"] = .bool(dag?.pausedUponCreation ?? false)
        fields["render_template_as_native_obj"] = .bool(false)
        fields["latest_dag_version"] = .null
        fields["concurrency"] = .integer(record.maxActiveTasks)
        return .object(fields)
    }

    /// `TaskResponse`.
    static func task(_ task: TaskDefinition, dag: DAG) -> JSONValue {
        let seconds: (Duration) -> JSONValue = {
            .object(["__type": .string("TimeDelta"), "days": .integer(0), "seconds": .integer(Int($0.seconds)), "microseconds": .integer(0)])
        }
        return .object([
            "task_id": .string(task.taskID),
            "task_display_name": .string(task.taskID),
            "owner": .string(task.owner),
            "start_date": date(dag.startDate),
            "end_date": date(dag.endDate),
            "trigger_rule": .string(task.triggerRule.rawValue),
            "depends_on_past": .bool(false),
            "wait_for_downstream": .bool(false),
            "retries": .integer(task.retries),
            "queue": .string("default"),
            "pool": .string("default_pool"),
            "pool_slots": .integer(1),
            "execution_timeout": task.executionTimeout.map(seconds) ?? .null,
            "retry_delay": seconds(task.retryDelay),
            "retry_exponential_backoff": .number(
                JSONNumber(literal: String(task.retryExponentialBackoff), doubleValue: task.retryExponentialBackoff, isIntegerLiteral: false)
            ),
            "priority_weight": .integer(1),
            "weight_rule": .string("downstream"),
            "ui_color": .string("#e8f7e4"),
            "ui_fgcolor": .string("#000"),
            "template_fields": strings(task.arguments.keys.sorted()),
            "downstream_task_ids": strings(dag.downstream(of: task.taskID)),
            "doc_md": .null,
            "operator_name": .string(task.operatorName),
            "params": .object([:]),
            "class_ref": .object(["module_path": .string("flowline.operators"), "class_name": .string(task.operatorName)]),
            "is_mapped": .bool(false),
            "extra_links": .array([]),
        ])
    }

    static func importError(_ error: ImportErrorRecord) -> JSONValue {
        .object([
            "import_error_id": .integer(Int(error.id)),
            "timestamp": date(error.timestamp),
            "filename": .string(error.filename),
            "bundle_name": .string("dags-folder"),
            "stack_trace": .string(error.message),
        ])
    }

    static func variable(_ variable: VariableRecord) -> JSONValue {
        .object([
            "key": .string(variable.key),
            "value": .string(variable.value),
            "description": variable.description.map { .string($0) } ?? .null,
            "is_encrypted": .bool(false),
        ])
    }

    static func collection(_ name: String, _ items: [JSONValue], total: Int) -> String {
        JSONValue.object([name: .array(items), "total_entries": .integer(total)]).jsonText
    }
}

extension AirflowJSON {
    static func xcom(key: String, value: JSONValue, taskID: String, run: DagRun) -> JSONValue {
        .object([
            "key": .string(key),
            "timestamp": date(run.endDate ?? run.startDate ?? run.runAfter),
            "logical_date": date(run.logicalDate),
            "map_index": .integer(-1),
            "task_id": .string(taskID),
            "dag_id": .string(run.dagID),
            "run_id": .string(run.runID),
            "dag_display_name": .string(run.dagID),
            "task_display_name": .string(taskID),
            "value": value,
        ])
    }
}
