public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore

/// The parts every Flowline HTTP service shares: a router answering HEAD for GET routes, request
/// logging and metrics outermost, then the API's own error middleware, the ``ServerPolicy``'s
/// request checks (Host, cross-site writes), and `/metrics`; the server applies the policy's
/// timeouts, header limit and connection cap.
public struct ServiceRouter<Context: RequestContext> where Context.Source == ApplicationRequestContextSource {
    public let router: Router<Context>
    public let metrics: HTTPMetrics
    public let policy: ServerPolicy
    /// The address the server listens on, answered as a `Host` name too.
    public let host: String

    /// A router whose errors `errorMiddleware` renders in the API's shape, for a server on `host`.
    public init(context: Context.Type, logger: Logger, errorMiddleware: some RouterMiddleware<Context>, policy: ServerPolicy, host: String) {
        metrics = HTTPMetrics()
        self.host = host
        var policy = policy
        policy.allowedHosts = policy.allowedHosts.adding(host)
        self.policy = policy
        router = Router(context: Context.self, options: [.autoGenerateHeadEndpoints])
        router.add(middleware: RequestObservationMiddleware(metrics: metrics, logger: logger))
        router.add(middleware: errorMiddleware)
        router.add(middleware: RequestGuardMiddleware(allowedHosts: policy.allowedHosts, trustedOrigins: policy.trustedOrigins))
    }

    /// The application serving the router on ``host``:`port`, with `/metrics` added;
    /// `onServerRunning` gets the bound port (the real one when `port` is 0). The connection cap
    /// is the policy's, or else the default for the descriptor limit now.
    public func application(
        port: Int,
        serverName: String,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        router.addMetricsRoute(metrics)
        let connections = ConnectionGuard(maximum: policy.maximumConnections ?? ServerPolicy.defaultMaximumConnections)
        var http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [connections.handler()],
            idleTimeout: TimeAmount(policy.idleTimeout)
        )
        http.httpDecoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: policy.maximumHeaderSize,
            maxHeaderListSize: policy.maximumHeaderSize,
            maxHeaderFieldCount: 200
        )
        return Application(
            router: router,
            server: .http1(configuration: http),
            configuration: .init(address: .hostname(host, port: port), serverName: serverName, backlog: 1024),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
    }
}

extension ServiceRouter where Context == BasicRequestContext {
    /// A router with Hummingbird's basic request context.
    public init(logger: Logger, errorMiddleware: some RouterMiddleware<BasicRequestContext>, policy: ServerPolicy, host: String) {
        self.init(context: BasicRequestContext.self, logger: logger, errorMiddleware: errorMiddleware, policy: policy, host: host)
    }
}
