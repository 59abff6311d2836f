import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import NIOCore
import OrchestratorDatabase
import TaskExecution
import Workflow

/// `…/taskInstances…`: task instances of a run, their tries, logs and XComs; marking them.
struct TaskInstancesController {
    let orchestration: Orchestration

    private var store: OrchestratorStore { orchestration.store }
    let folders: OrchestratorFolders

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let base = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances"
        router.get(RouterPath(base), use: list)
        router.get(RouterPath(base + "/{task_id}"), use: get)
        router.patch(RouterPath(base + "/{task_id}"), use: patch)
        router.get(RouterPath(base + "/{task_id}/tries"), use: tries)
        router.get(RouterPath(base + "/{task_id}/logs/{try_number}"), use: logs)
        router.get(RouterPath(base + "/{task_id}/xcomEntries"), use: xcomEntries)
        router.get(RouterPath(base + "/{task_id}/xcomEntries/{xcom_key}"), use: xcomEntry)
    }

    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        var instances = try await store.taskInstances(dagID: run.dagID, runID: run.runID)
        let query = request.uri.queryParameters
        let states = query.getAll("state")
        if !states.isEmpty { instances = instances.filter { states.contains($0.state?.rawValue ?? "no_status") } }
        if let taskID = query.get("task_id") { instances = instances.filter { $0.taskID == taskID } }
        let page = try Paging(query)
        let tracking = try await store.trackingRunIDs(dagID: run.dagID, runID: run.runID)
        return .json(
            AirflowJSON.collection(
                "task_instances",
                page.slice(instances).map {
                    AirflowJSON.taskInstance($0, run: run, trackingRunID: tracking[$0.taskID])
                },
                total: instances.count
            )
        )
    }

    @Sendable func get(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        let instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: try context.parameters.decoded("task_id"))
        let tracking = try await store.trackingRunIDs(dagID: run.dagID, runID: run.runID)
        return .json(AirflowJSON.taskInstance(instance, run: run, trackingRunID: tracking[instance.taskID]).jsonText)
    }

    @Sendable func patch(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        let run = try await Self.run(context, store: store)
        let taskID = try context.parameters.decoded("task_id")
        let body = try await APIRequest.jsonObject(request)
        try BodySchema.check(body, as: "PatchTaskInstanceBody")
        var instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
        if let state = APIRequest.string(body, "new_state").flatMap(TaskState.init(rawValue:)) {
            instance = try await orchestration.setTaskState(dagID: run.dagID, runID: run.runID, taskID: taskID, to: state)
        }
        if let note = APIRequest.string(body, "note") {
            instance = try await orchestration.setTaskNote(dagID: run.dagID, runID: run.runID, taskID: taskID, note: note)
        }
        return .json(AirflowJSON.collection("task_instances", [AirflowJSON.taskInstance(instance, run: run)], total: 1))
    }

    @Sendable func tries(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        let taskID = try context.parameters.decoded("task_id")
        let instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
        let tries = try await store.tries(dagID: run.dagID, runID: run.runID, taskID: taskID)
        let items = tries.map { attempt -> JSONValue in
            var past = instance
            past.tryNumber = attempt.tryNumber
            past.state = attempt.state
            past.startDate = attempt.startDate
            past.endDate = attempt.endDate
            past.hostname = attempt.hostname
            past.pid = attempt.pid
            return AirflowJSON.taskInstance(past, run: run)
        }
        return .json(AirflowJSON.collection("task_instances", items, total: items.count))
    }

    @Sendable func logs(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        let taskID = try context.parameters.decoded("task_id")
        let instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
        let tryText = try context.parameters.decoded("try_number")
        guard let tryNumber = Int(tryText), tryNumber >= 1, tryNumber <= max(instance.tryNumber, 1) else {
            throw OrchestratorError.notFound("TaskInstance not found: task `\(taskID)` has no try \(tryText)")
        }
        let url = await folders.readableLog(
            TaskLog.url(logsFolder: folders.logs, dagID: run.dagID, runID: run.runID, taskID: taskID, tryNumber: tryNumber)
        )
        let token = request.uri.queryParameters.get("token").flatMap { Int($0) } ?? 0
        let (text, end) = LogReader.read(url, from: token)
        let finished = instance.tryNumber > tryNumber || instance.state?.isFinished == true || instance.state == .upForRetry
        let continuation: JSONValue = finished ? .null : .string(String(end))
        if request.headers[.accept]?.contains("text/plain") == true {
            var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
            if !finished, let name = HTTPField.Name("Airflow-Continuation-Token") { headers[name] = String(end) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let entries = TaskLog.entries(of: text).map { entry -> JSONValue in
            .object([
                "timestamp": entry.timestamp.isEmpty ? .null : .string(entry.timestamp), "event": .string(entry.text),
                "level": .string(entry.level.lowercased()), "logger": .string(entry.source),
            ])
        }
        return .json(JSONValue.object(["content": .array(entries), "continuation_token": continuation]).jsonText)
    }

    @Sendable func xcomEntries(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        let taskID = try context.parameters.decoded("task_id")
        _ = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
        let entries = (try await store.xcoms(dagID: run.dagID, runID: run.runID)[taskID] ?? [:]).sorted { $0.key < $1.key }
        let items = entries.map { AirflowJSON.xcom(key: $0.key, value: $0.value, taskID: taskID, run: run) }
        let page = try Paging(request.uri.queryParameters)
        return .json(AirflowJSON.collection("xcom_entries", Array(page.slice(items)), total: items.count))
    }

    @Sendable func xcomEntry(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let run = try await Self.run(context, store: store)
        let taskID = try context.parameters.decoded("task_id")
        let key = try context.parameters.decoded("xcom_key")
        guard let value = try await store.xcoms(dagID: run.dagID, runID: run.runID)[taskID]?[key] else {
            throw OrchestratorError.notFound("XCom entry with key: `\(key)` not found")
        }
        return .json(AirflowJSON.xcom(key: key, value: value, taskID: taskID, run: run).jsonText)
    }

    static func run(_ context: OrchestratorRequestContext, store: OrchestratorStore) async throws -> DagRun {
        try await store.run(dagID: try context.parameters.decoded("dag_id"), runID: try context.parameters.decoded("dag_run_id"))
    }
}
