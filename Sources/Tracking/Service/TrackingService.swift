import HTTPSupport
public import Hummingbird
public import Logging
import NIOCore
public import ObjectStorage
public import Storage

/// Builds the tracking server: MLflow's REST API under `/api/2.0/mlflow` (and `/ajax-api/…`),
/// `/health`, `/version`, `/api/3.0/mlflow/server-info` and `/metrics`.
///
/// - Parameters:
///   - database: the opened, migrated database (``TrackingMigrations/all``); run it as a service
///     next to the application.
///   - aliasesMoved: told the name of a registered model once a write that may have moved its
///     aliases is committed (so a model server in this process serves a promotion at once).
///   - objectStore: the client of the S3-compatible store, needed when artifacts are in one
///     (the caller shuts it down).
///   - addRoutes: adds more routes (the web UI), given the store and the artifact locations.
///   - onServerRunning: called with the bound port once the server listens.
/// - Throws: ``TrackingError`` when the artifact destination or root cannot be used.
public func buildTrackingApplication(
    configuration: TrackingConfiguration,
    database: Database,
    objectStore: S3Client? = nil,
    version: String,
    logger: Logger,
    aliasesMoved: @escaping @Sendable (_ model: String) -> Void = { _ in },
    addRoutes: (Router<BasicRequestContext>, TrackingStore, ArtifactLocations) -> Void = { _, _, _ in },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let service = ServiceRouter(logger: logger, errorMiddleware: MLflowErrorMiddleware(), policy: configuration.policy, host: configuration.host)
    let router = service.router
    if let authenticator = configuration.authenticator { router.add(middleware: TrackingAuthMiddleware(authenticator: authenticator)) }
    let store = TrackingStore(database: database, artifactRoot: configuration.artifactRoot, aliasesMoved: aliasesMoved)
    var routes = MLflowRoutes(router: router)
    ExperimentsController(store: store).addRoutes(to: &routes)
    RunsController(store: store).addRoutes(to: &routes)
    let locations = ArtifactLocations(proxied: try configuration.proxiedRepository(objectStore: objectStore), objectStore: objectStore)
    LoggedModelsController(store: store, locations: locations).addRoutes(to: &routes)
    RegistryController(store: store).addRoutes(to: &routes)
    let destroyRefusal = ArtifactsController.destroyRule(
        authenticator: configuration.authenticator,
        credential: configuration.artifactDeleteCredential
    )
    ArtifactsController(locations: locations, store: store, destroyRefusal: destroyRefusal).addRoutes(to: router, routes: &routes)
    routes.finish()
    addRoutes(router, store, locations)

    router.get("/health") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "OK")))
    }
    router.get("/version") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: version)))
    }
    let multipart = locations.proxied?.supportsMultipartUpload ?? false
    router.get("/api/3.0/mlflow/server-info") { _, _ in
        Response.json(
            #"{"store_type":"SqlStore","workspaces_enabled":false,"trace_archival_enabled":false,"multipart_uploads_enabled":"#
                + "\(multipart)"
                + #","multipart_downloads_enabled":false,"presigned_upload_run_id_supported":false,"presigned_upload_model_id_supported":false}"#
        )
    }
    return service.application(
        port: configuration.port,
        serverName: "flowline-tracking",
        logger: logger,
        onServerRunning: { port in
            do {
                try await store.adoptArtifactRoot()
            } catch {
                logger.error("Could not give the Default experiment the artifact root \(configuration.artifactRoot): \(error)")
            }
            do {
                try await configuration.onStart?()
            } catch {
                logger.error("The tracking server's start failed: \(error)")
            }
            await onServerRunning(port)
        }
    )
}
