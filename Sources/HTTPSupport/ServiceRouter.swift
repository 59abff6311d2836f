public import Hummingbird
public import Logging

/// The parts every Flowline HTTP service shares: a router answering HEAD for GET routes, request
/// logging and metrics outermost, then the API's own error middleware, and `/metrics`.
public struct ServiceRouter<Context: RequestContext> where Context.Source == ApplicationRequestContextSource {
    public let router: Router<Context>
    public let metrics: HTTPMetrics

    /// A router whose errors `errorMiddleware` renders in the API's shape.
    public init(context: Context.Type, logger: Logger, errorMiddleware: some RouterMiddleware<Context>) {
        metrics = HTTPMetrics()
        router = Router(context: Context.self, options: [.autoGenerateHeadEndpoints])
        router.add(middleware: RequestObservationMiddleware(metrics: metrics, logger: logger))
        router.add(middleware: errorMiddleware)
    }

    /// The application serving the router on `host:port`, with `/metrics` added; `onServerRunning`
    /// gets the bound port (the real one when `port` is 0).
    public func application(
        host: String, port: Int, serverName: String, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        router.addMetricsRoute(metrics)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
    }
}

extension ServiceRouter where Context == BasicRequestContext {
    /// A router with Hummingbird's basic request context.
    public init(logger: Logger, errorMiddleware: some RouterMiddleware<BasicRequestContext>) {
        self.init(context: BasicRequestContext.self, logger: logger, errorMiddleware: errorMiddleware)
    }
}
