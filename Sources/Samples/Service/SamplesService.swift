import HTTPSupport
public import Hummingbird
public import Logging

/// Builds the line-samples HTTP application: its routes, `/openapi.json`, `/docs`, `/health` and
/// `/metrics`, request logging, and FastAPI-shaped errors.
///
/// - Parameters:
///   - configuration: address, initial line and limits.
///   - version: the version reported in the OpenAPI document.
///   - logger: where requests and changes of the line are logged.
///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
public func buildSamplesApplication(
    configuration: SamplesConfiguration,
    version: String,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let service = ServiceRouter(logger: logger, errorMiddleware: FastAPIErrorMiddleware(), policy: configuration.policy, host: configuration.host)
    let router = service.router
    SamplesController(state: LineState(configuration.initialLine), configuration: configuration, metrics: service.metrics)
        .addRoutes(to: router)
    router.addHealthRoute()
    router.addOpenAPIRoutes(
        document: SamplesOpenAPI.document(configuration: configuration, version: version),
        title: "Flowline line samples"
    )
    return service.application(
        port: configuration.port,
        serverName: "flowline-samples",
        logger: logger,
        onServerRunning: onServerRunning
    )
}
