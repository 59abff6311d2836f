public import Prometheus
import Synchronization

/// The Prometheus registry of one service, with the HTTP request metrics every service records.
///
/// Each service owns its registry (no process-wide metrics bootstrap), so services composed in one
/// process by `flowline up` each expose only their own numbers on their own `/metrics`.
public final class HTTPMetrics: Sendable {
    /// The registry the service's own metrics are registered in too.
    public let registry: PrometheusCollectorRegistry

    /// Latency buckets of `http_request_duration_seconds`, from 100 µs to 10 s.
    public static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private struct RouteKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct RouteCollectors {
        var requests: Counter
        var latency: DurationHistogram
    }

    private let collectors = Mutex<[RouteKey: RouteCollectors]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Records one answered request.
    /// - Parameters:
    ///   - route: the matched route template (`/dags/{dag_id}`), never the raw path, so that the
    ///     number of series stays bounded.
    public func record(method: String, route: String, status: Int, duration: Duration) {
        let key = RouteKey(method: method, route: route, status: status)
        let route = collectors.withLock { cache in
            if let existing = cache[key] { return existing }
            let labels = [("method", method), ("route", route), ("status", String(status))]
            let created = RouteCollectors(
                requests: registry.makeCounter(
                    descriptor: .init(
                        metricName: "http_requests",
                        unitName: "total",
                        helpText: "HTTP requests answered, by method, route and status."
                    ),
                    labels: labels
                ),
                latency: registry.makeDurationHistogram(
                    descriptor: .init(
                        metricName: "http_request_duration",
                        unitName: "seconds",
                        helpText: "Time to answer HTTP requests, until the response body was written."
                    ),
                    labels: labels,
                    buckets: Self.latencyBuckets
                )
            )
            cache[key] = created
            return created
        }
        route.requests.increment()
        route.latency.record(duration)
    }

    /// The registry's metrics in Prometheus' text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
