import Foundation
import HTTPSupport

/// The wire form of orchestrator entities, in Airflow 3's REST API shapes.
enum AirflowJSON {
    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(DateText.format($0)) } ?? .null
    }

    static func dagRun(_ run: DagRun) -> JSONValue {
        let duration: JSONValue = if let start = run.startDate, let end = run.endDate {
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

    static func taskInstance(_ instance: TaskInstance, run: DagRun) -> JSONValue {
        let duration: JSONValue = instance.duration.map { .number(JSONNumber(literal: String($0), doubleValue: $0, isIntegerLiteral: false)) } ?? .null
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
