import Foundation
import JSON
import HTTPTypes
import Hummingbird
import NIOCore
import OrchestratorDatabase
import TaskExecution
import Workflow
import HTTPSupport

/// `…/taskInstances…`: task instances of a run, their tries, logs and XComs; marking them.
struct TaskInstancesController {
    let orchestration: Orchestration
    let folders: OrchestratorFolders

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let orchestration = orchestration
        let store = orchestration.store
        let folders = folders
        let base = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances"
        router.get(RouterPath(base)) { request, context -> Response in
            _ = try context.require(.viewer)
            let run = try await Self.run(context, store: store)
            var instances = try await store.taskInstances(dagID: run.dagID, runID: run.runID)
            let query = request.uri.queryParameters
            let states = query.getAll("state")
            if !states.isEmpty { instances = instances.filter { states.contains($0.state?.rawValue ?? "no_status") } }
            if let taskID = query.get("task_id") { instances = instances.filter { $0.taskID == taskID } }
            let page = try Paging(query)
            let tracking = try await store.trackingRunIDs(dagID: run.dagID, runID: run.runID)
            return .json(AirflowJSON.collection("task_instances", page.slice(instances).map {
                AirflowJSON.taskInstance($0, run: run, trackingRunID: tracking[$0.taskID])
            }, total: instances.count))
        }
        router.get(RouterPath(base + "/{task_id}")) { _, context -> Response in
            _ = try context.require(.viewer)
            let run = try await Self.run(context, store: store)
            let instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: try context.parameters.decoded("task_id"))
            let tracking = try await store.trackingRunIDs(dagID: run.dagID, runID: run.runID)
            return .json(AirflowJSON.taskInstance(instance, run: run, trackingRunID: tracking[instance.taskID]).jsonText)
        }
        router.patch(RouterPath(base + "/{task_id}")) { request, context -> Response in
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
        router.get(RouterPath(base + "/{task_id}/tries")) { _, context -> Response in
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
        router.get(RouterPath(base + "/{task_id}/logs/{try_number}")) { request, context -> Response in
            _ = try context.require(.viewer)
            let run = try await Self.run(context, store: store)
            let taskID = try context.parameters.decoded("task_id")
            let instance = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
            let tryText = try context.parameters.decoded("try_number")
            guard let tryNumber = Int(tryText), tryNumber >= 1, tryNumber <= max(instance.tryNumber, 1) else {
                throw OrchestratorError.notFound("TaskInstance not found: task `\(taskID)` has no try \(tryText)")
            }
            let url = TaskLog.url(logsFolder: folders.logs, dagID: run.dagID, runID: run.runID, taskID: taskID, tryNumber: tryNumber)
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
                .object(["timestamp": entry.timestamp.isEmpty ? .null : .string(entry.timestamp), "event": .string(entry.text),
                         "level": .string(entry.level.lowercased()), "logger": .string(entry.source)])
            }
            return .json(JSONValue.object(["content": .array(entries), "continuation_token": continuation]).jsonText)
        }
        router.get(RouterPath(base + "/{task_id}/xcomEntries")) { request, context -> Response in
            _ = try context.require(.viewer)
            let run = try await Self.run(context, store: store)
            let taskID = try context.parameters.decoded("task_id")
            _ = try await store.taskInstance(dagID: run.dagID, runID: run.runID, taskID: taskID)
            let entries = (try await store.xcoms(dagID: run.dagID, runID: run.runID)[taskID] ?? [:]).sorted { $0.key < $1.key }
            let items = entries.map { AirflowJSON.xcom(key: $0.key, value: $0.value, taskID: taskID, run: run) }
            let page = try Paging(request.uri.queryParameters)
            return .json(AirflowJSON.collection("xcom_entries", Array(page.slice(items)), total: items.count))
        }
        router.get(RouterPath(base + "/{task_id}/xcomEntries/{xcom_key}")) { _, context -> Response in
            _ = try context.require(.viewer)
            let run = try await Self.run(context, store: store)
            let taskID = try context.parameters.decoded("task_id")
            let key = try context.parameters.decoded("xcom_key")
            guard let value = try await store.xcoms(dagID: run.dagID, runID: run.runID)[taskID]?[key] else {
                throw OrchestratorError.notFound("XCom entry with key: `\(key)` not found")
            }
            return .json(AirflowJSON.xcom(key: key, value: value, taskID: taskID, run: run).jsonText)
        }
    }

    static func run(_ context: OrchestratorRequestContext, store: OrchestratorStore) async throws -> DagRun {
        try await store.run(dagID: try context.parameters.decoded("dag_id"), runID: try context.parameters.decoded("dag_run_id"))
    }
}

/// Reads a try's log from a byte offset (the continuation token), so a client can follow it.
enum LogReader {
    /// The most a single answer carries.
    static let maximumChunk = 4 << 20

    /// The text from `offset` up to the last complete line, and the offset after it; a chunk
    /// without any line end (a line longer than ``maximumChunk``) is given whole.
    static func read(_ url: URL, from offset: Int) -> (text: String, end: Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return ("", offset) }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        let start = min(max(offset, 0), size)
        try? handle.seek(toOffset: UInt64(start))
        let data = (try? handle.read(upToCount: min(size - start, maximumChunk))) ?? Data()
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
            return data.count == maximumChunk ? (String(decoding: data, as: UTF8.self), start + data.count) : ("", start)
        }
        let complete = data[data.startIndex...lastNewline]
        return (String(decoding: complete, as: UTF8.self), start + complete.count)
    }
}
