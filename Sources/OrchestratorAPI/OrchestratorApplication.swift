import Foundation
import HTTPSupport
import HTTPTypes
public import Hummingbird
import JSON
public import Logging
import NIOCore
import OrchestratorDatabase
import Workflow

/// Builds the orchestrator's HTTP server: Airflow 3's REST API (`/api/v2`, bearer tokens from
/// `POST /auth/token`), `/health` and `/metrics`; `addRoutes` adds more (the web UI).
public func buildOrchestratorApplication(
    configuration: OrchestratorConfiguration,
    orchestration: Orchestration,
    tokens: TokenService,
    version: String,
    logger: Logger,
    addRoutes: (Router<OrchestratorRequestContext>) -> Void = { _ in },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let service = ServiceRouter(
        context: OrchestratorRequestContext.self,
        logger: logger,
        errorMiddleware: FastAPIErrorMiddleware(),
        policy: configuration.policy,
        host: configuration.host
    )
    let router = service.router
    let store = orchestration.store
    router.add(middleware: AuthMiddleware(tokens: tokens, store: store))
    AuthController(tokens: tokens, store: store, ready: { await orchestration.waitUntilStarted() }).addRoutes(to: router)
    DAGsController(orchestration: orchestration).addRoutes(to: router)
    DAGRunsController(orchestration: orchestration).addRoutes(to: router)
    TaskInstancesController(orchestration: orchestration, folders: configuration.folders).addRoutes(to: router)
    VariablesController(store: store).addRoutes(to: router)
    WorkersController(orchestration: orchestration).addRoutes(to: router)
    WorkerAPIController(workers: orchestration.workers).addRoutes(to: router)
    addRoutes(router)
    // Methods a path does not serve answer 405 with Allow, as FastAPI does.
    for (path, methods) in OrchestratorOpenAPI.methodsByPath {
        router.rejectOtherMethods(on: RouterPath(path), allowing: methods.compactMap { HTTPRequest.Method($0.uppercased()) })
    }
    router.addOpenAPIRoutes(document: OrchestratorOpenAPI.document(version: version), title: "Flowline orchestrator API")
    router.get("/health") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "OK")))
    }
    router.get("/api/v2/monitor/health") { _, _ in
        // Healthy: the database answers, and the scheduler passed within the last 30 s (it passes
        // at least every second). Sensors run in the scheduler and DAG files are read by it, so
        // its heartbeat is also the triggerer's and the DAG processor's.
        let databaseHealthy = (try? await store.pausedDAGIDs()) != nil
        let heartbeat = await orchestration.lastHeartbeat
        let schedulerHealthy = heartbeat.map { Date().timeIntervalSince($0) < 30 } ?? false
        let status = { (healthy: Bool) -> JSONValue in .string(healthy ? "healthy" : "unhealthy") }
        let beat = heartbeat.map { JSONValue.string(DateText.format($0)) } ?? .null
        let body = JSONValue.object([
            "metadatabase": .object(["status": status(databaseHealthy)]),
            "scheduler": .object(["status": status(schedulerHealthy), "latest_scheduler_heartbeat": beat]),
            "triggerer": .object(["status": status(schedulerHealthy), "latest_triggerer_heartbeat": beat]),
            "dag_processor": .object(["status": status(schedulerHealthy), "latest_dag_processor_heartbeat": beat]),
        ])
        return Response.json(body.jsonText)
    }
    router.get("/api/v2/version") { _, _ in
        Response.json(JSONValue.object(["version": .string(version), "git_version": .null]).jsonText)
    }
    return service.application(
        port: configuration.port,
        serverName: "flowline-orchestrator",
        logger: logger,
        onServerRunning: onServerRunning
    )
}
