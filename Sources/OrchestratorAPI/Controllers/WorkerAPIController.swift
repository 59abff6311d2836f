import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorDatabase
import RunStorage
import Scheduling
import TaskExecution
import Workflow

/// The worker API (`/edge_worker/v1`), shaped after Airflow 3's Edge executor: `flowline worker`
/// registers, heartbeats, long-polls for tries, streams their logs and reports their ends. Every
/// call needs a worker token; tries are fenced by their try number and lease.
struct WorkerAPIController {
    static let prefix = "/edge_worker/v1"
    let workers: WorkerHub

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        addDataRoutes(to: router)
        let workers = workers
        router.post("\(Self.prefix)/worker/{worker_name}") { request, context -> Response in
            let (name, token) = try Self.caller(context)
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "WorkerRegisterBody")
            try await workers.register(
                name,
                tokenName: token,
                hostname: APIRequest.string(body, "hostname") ?? name,
                queues: Self.strings(body["queues"]),
                concurrency: body["concurrency"]?.int ?? 0,
                version: APIRequest.string(body, "version") ?? "unknown"
            )
            return .json(
                JSONValue.object([
                    "heartbeat_interval": .double(workers.heartbeatInterval.seconds), "worker_timeout": .double(workers.workerTimeout.seconds),
                ]).jsonText
            )
        }
        router.patch("\(Self.prefix)/worker/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "WorkerHeartbeatBody")
            let state = WorkerRecord.State(rawValue: APIRequest.string(body, "state") ?? "") ?? .idle
            let (maintenance, stop) = try await workers.heartbeat(name, state: state, leases: Self.strings(body["leases"]))
            return .json(JSONValue.object(["maintenance": .bool(maintenance), "stop": .array(stop.map { .string($0) })]).jsonText)
        }
        router.post("\(Self.prefix)/jobs/fetch/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "WorkerFetchBody")
            let wait = Duration.milliseconds(Int64(((body["wait"]?.double ?? 0) * 1000).rounded()))
            let jobs = try await workers.fetch(name, queues: Self.strings(body["queues"]), slots: body["free_slots"]?.int ?? 0, wait: wait)
            let list = jobs.map { JSONValue.object(["lease": .string($0.lease), "workload": $0.workload.json]) }
            return .json(JSONValue.object(["jobs": .array(list)]).jsonText)
        }
        router.post("\(Self.prefix)/jobs/states/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let body = try await APIRequest.jsonObject(request, limit: 16 << 20)
            try BodySchema.check(body, as: "WorkerStatesBody")
            guard case .array(let items)? = body["reports"] else { throw OrchestratorError.invalid("reports must be a list") }
            var reports: [WorkerHub.Report] = []
            for (index, item) in items.enumerated() {
                do {
                    let fence = try Self.fence(item)
                    reports.append(
                        .init(
                            dagID: fence.dagID,
                            runID: fence.runID,
                            taskID: fence.taskID,
                            tryNumber: fence.tryNumber,
                            lease: fence.lease,
                            result: try TryResult(json: item["result"] ?? .null),
                            log: try Self.reportedLog(item["log"])
                        )
                    )
                } catch {
                    throw OrchestratorError.invalid("reports[\(index)]: \(error)")
                }
            }
            let outcomes = try await workers.report(name, reports)
            let results = outcomes.map { reason -> JSONValue in
                reason.map { .object(["accepted": .bool(false), "reason": .string($0)]) } ?? .object(["accepted": .bool(true)])
            }
            return .json(JSONValue.object(["results": .array(results)]).jsonText)
        }
        router.post("\(Self.prefix)/logs/push/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let body = try await APIRequest.jsonObject(request, limit: WorkerHub.maximumLogChunk * 2)
            try BodySchema.check(body, as: "WorkerLogBody")
            let fence = try Self.fence(.object(body))
            try await workers.appendLog(
                name,
                dagID: fence.dagID,
                runID: fence.runID,
                taskID: fence.taskID,
                tryNumber: fence.tryNumber,
                lease: fence.lease,
                text: APIRequest.string(body, "log_chunk_data") ?? ""
            )
            return Response(status: .noContent)
        }
    }

    /// A report's `log`: text, or absent.
    static func reportedLog(_ value: JSONValue?) throws -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return text
        default: throw OrchestratorError.invalid("log must be text")
        }
    }

    /// The worker's name from the path, and its token's name.
    static func caller(_ context: OrchestratorRequestContext) throws -> (name: String, token: String) {
        guard let token = context.workerToken else { throw AuthError.invalidWorkerToken }
        let name = try context.parameters.decoded("worker_name")
        if let problem = OrchestratorStore.workerNameProblem(name) { throw OrchestratorError.invalid(problem) }
        return (name, token)
    }

    /// Which try a report or log chunk is about, and its fencing token.
    static func fence(_ item: JSONValue) throws -> (dagID: String, runID: String, taskID: String, tryNumber: Int, lease: String) {
        guard let dagID = item["dag_id"]?.string, let runID = item["run_id"]?.string, let taskID = item["task_id"]?.string,
            let tryNumber = item["try_number"]?.int, let lease = item["lease"]?.string
        else {
            throw OrchestratorError.invalid("each report needs dag_id, run_id, task_id, try_number and lease")
        }
        return (dagID, runID, taskID, tryNumber, lease)
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.string)
    }
}

// MARK: Task data

extension WorkerAPIController {
    /// `…/data/{worker_name}`: a try's outputs uploaded (PUT, streamed), cleared (DELETE) and an
    /// input of a try downloaded (GET, streamed), fenced by the try's lease; the ids and the path
    /// travel in the query.
    func addDataRoutes(to router: Router<OrchestratorRequestContext>) {
        let workers = workers
        router.put("\(Self.prefix)/data/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let query = request.uri.queryParameters
            let path = try Self.required(query, "path")
            try await workers.storeOutput(name, try Self.fence(query), path: path, chunks: request.body)
            return Response(status: .noContent)
        }
        router.delete("\(Self.prefix)/data/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            try await workers.clearOutputs(name, try Self.fence(request.uri.queryParameters))
            return Response(status: .noContent)
        }
        router.get("\(Self.prefix)/data/{worker_name}") { request, context -> Response in
            let (name, _) = try Self.caller(context)
            let query = request.uri.queryParameters
            let contents = try await workers.fetchInput(
                name,
                try Self.fence(query),
                from: try Self.required(query, "from"),
                path: try Self.required(query, "path")
            )
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .contentLength: String(contents.size)],
                body: ResponseBody(asyncSequence: contents.chunks)
            )
        }
    }

    static func required(_ query: Parameters, _ name: String) throws -> String {
        guard let value = query.get(name), !value.isEmpty else {
            throw OrchestratorError.invalid("the query needs `\(name)`")
        }
        return value
    }

    static func fence(_ query: Parameters) throws -> WorkerHub.Fence {
        guard let tryNumber = Int(try required(query, "try_number")), tryNumber > 0 else {
            throw OrchestratorError.invalid("try_number must be a positive integer")
        }
        return WorkerHub.Fence(
            dagID: try required(query, "dag_id"),
            runID: try required(query, "run_id"),
            taskID: try required(query, "task_id"),
            tryNumber: tryNumber,
            lease: try required(query, "lease")
        )
    }
}
