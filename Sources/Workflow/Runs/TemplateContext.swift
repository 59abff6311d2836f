public import Foundation
public import JSON

/// The variables a task's templates see, with Airflow's names.
public enum TemplateContext {
    /// `ds`, `ts`, `logical_date` and the data interval come from the run's logical date; a manual
    /// run without one uses its trigger time (Airflow 3 leaves them undefined there).
    public static func make(
        dag: DAG,
        task: TaskDefinition,
        run: DagRun,
        tryNumber: Int,
        xcoms: [String: [String: JSONValue]],
        variables: [String: JSONValue],
        workspace: URL
    ) -> [String: JSONValue] {
        let logical = run.logicalDate ?? run.runAfter
        let interval = run.dataInterval ?? DataInterval(start: logical, end: logical)
        let ts = DateText.format(logical)
        let ds = String(ts.prefix(10))
        let tsNoDash = String(ts.prefix(19).filter { $0 != "-" && $0 != ":" })
        let params = run.params ?? dag.params(for: run.conf).values
        var xcom: [String: JSONValue] = [:]
        for (taskID, values) in xcoms {
            if let value = values["return_value"] { xcom[taskID] = value }
        }
        let intervalStart = DateText.format(interval.start)
        let intervalEnd = DateText.format(interval.end)
        let runObject: JSONValue = .object([
            "run_id": .string(run.runID),
            "run_type": .string(run.runType.rawValue),
            "conf": .object(run.conf),
            "logical_date": .string(ts),
            "data_interval_start": .string(intervalStart),
            "data_interval_end": .string(intervalEnd),
        ])
        return [
            "ds": .string(ds),
            "ds_nodash": .string(ds.filter { $0 != "-" }),
            "ts": .string(ts),
            "ts_nodash": .string(tsNoDash),
            "logical_date": .string(ts),
            "data_interval_start": .string(intervalStart),
            "data_interval_end": .string(intervalEnd),
            "run_id": .string(run.runID),
            "dag": .object(["dag_id": .string(dag.dagID), "tags": .array(dag.tags.map { .string($0) })]),
            "task": .object(["task_id": .string(task.taskID), "operator": .string(task.operatorName), "owner": .string(task.owner)]),
            "ti": .object([
                "task_id": .string(task.taskID), "dag_id": .string(dag.dagID), "run_id": .string(run.runID),
                "try_number": .integer(tryNumber), "max_tries": .integer(task.retries),
            ]),
            "params": .object(params),
            "dag_run": runObject,
            "xcom": .object(xcom),
            "xcoms": .object(xcoms.mapValues { .object($0) }),
            "var": .object(variables),
            "workspace": .string(workspace.path),
        ]
    }
}
