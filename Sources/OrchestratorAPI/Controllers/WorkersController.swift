import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorDatabase
import Scheduling
import Workflow

/// `workers…`: Flower's job. Everyone logged in sees the workers; ops put them in maintenance and
/// back; admins create and revoke the tokens workers authenticate with.
struct WorkersController {
    let orchestration: Orchestration

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let store = orchestration.store
        let timeout = orchestration.workers.workerTimeout
        router.get("/api/v2/workers") { request, context -> Response in
            _ = try context.require(.viewer)
            let workers = try await store.workers()
            let page = try Paging(request.uri.queryParameters)
            let now = Date()
            return .json(
                AirflowJSON.collection("workers", page.slice(workers).map { Self.json($0, now: now, timeout: timeout) }, total: workers.count)
            )
        }
        router.patch("/api/v2/workers/{worker_name}") { request, context -> Response in
            _ = try context.require(.op)
            let name = try context.parameters.decoded("worker_name")
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "WorkerPatchBody")
            try await store.setMaintenance(
                worker: name,
                APIRequest.bool(body, "maintenance") ?? false,
                comment: try APIRequest.string(body, "maintenance_comment").map { try APIRequest.storable($0, field: "maintenance_comment") }
            )
            guard let worker = try await store.worker(named: name) else {
                throw OrchestratorError.notFound("Worker `\(name)` was not found")
            }
            return .json(Self.json(worker, now: Date(), timeout: timeout).jsonText)
        }
        router.get("/api/v2/workerTokens") { _, context -> Response in
            _ = try context.require(.admin)
            let tokens = try await store.workerTokens()
            return .json(AirflowJSON.collection("worker_tokens", tokens.map(Self.json), total: tokens.count))
        }
        router.post("/api/v2/workerTokens") { request, context -> Response in
            let admin = try context.require(.admin)
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "WorkerTokenBody")
            let name = APIRequest.string(body, "name") ?? ""
            let token = try await store.createWorkerToken(name, createdBy: admin.username)
            return Response(
                status: .created,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: JSONValue.object(["name": .string(name), "token": .string(token)]).jsonText))
            )
        }
        router.delete("/api/v2/workerTokens/{token_name}") { _, context -> Response in
            _ = try context.require(.admin)
            try await store.revokeWorkerToken(try context.parameters.decoded("token_name"))
            return Response(status: .noContent)
        }
    }

    static func json(_ worker: WorkerRecord, now: Date, timeout: Duration) -> JSONValue {
        .object([
            "worker_name": .string(worker.name), "kind": .string(worker.kind.rawValue), "hostname": .string(worker.hostname),
            "queues": .array(worker.queues.map { .string($0) }), "state": .string(worker.state(now: now, timeout: timeout).rawValue),
            "maintenance": .bool(worker.maintenance), "maintenance_comment": worker.maintenanceComment.map { .string($0) } ?? .null,
            "concurrency": .integer(worker.concurrency), "used_slots": .integer(worker.runningTries.count),
            "running_tries": .array(worker.runningTries.map { .string($0) }), "succeeded": .integer(worker.succeeded),
            "failed": .integer(worker.failed), "first_online": .string(DateText.format(worker.registeredAt)),
            "last_heartbeat": .string(DateText.format(worker.lastHeartbeat)), "version": .string(worker.version),
        ])
    }

    static func json(_ token: WorkerTokenRecord) -> JSONValue {
        .object([
            "name": .string(token.name), "created_by": token.createdBy.map { .string($0) } ?? .null,
            "created_at": .string(DateText.format(token.createdAt)), "revoked_at": token.revokedAt.map { .string(DateText.format($0)) } ?? .null,
        ])
    }
}
