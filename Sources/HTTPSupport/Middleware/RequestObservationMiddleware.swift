public import Hummingbird
public import Logging

/// Logs every request and records it in ``HTTPMetrics`` once its response body has been written.
///
/// Requests are logged at `info` with method, path, status and duration; the route label of the
/// metrics is the matched route template, or `NotFound` for paths no route matched.
public struct RequestObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics
    let logger: Logger

    public init(metrics: HTTPMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            let status = response.status.code
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { self.finish(request, context: context, status: status, since: start) }
                try await body.write(writer)
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            finish(request, context: context, status: status, since: start)
            throw error
        }
    }

    private func finish(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        metrics.record(method: request.method.rawValue, route: route, status: status, duration: duration)
        if logger.logLevel <= .info {
            let milliseconds = Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1e3
            logger.info(
                "\(request.method) \(request.uri.path) \(status)",
                metadata: ["duration_ms": "\((milliseconds * 100).rounded() / 100)"]
            )
        }
    }
}
