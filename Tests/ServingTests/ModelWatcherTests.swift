import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Serving
import Synchronization
import Testing
import TrackingClient

/// The model server against a tracking server whose champion is broken or oversized.
@Suite("Following a champion that cannot load")
struct ModelWatcherTests {
    /// A tracking server with one alias, whose `MLmodel` is `descriptor`; counts its downloads.
    final class Counter: Sendable {
        let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    static func withTrackingServer(
        descriptor: @escaping @Sendable () -> ByteBuffer,
        _ body: @escaping @Sendable (TrackingClient, Counter) async throws -> Void
    ) async throws {
        let downloads = Counter()
        let router = Router()
        router.get("/api/2.0/mlflow/registered-models/alias") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(string: #"{"model_version": {"version": "1", "source": "mlflow-artifacts:/0/r/artifacts/model"}}"#)
                )
            )
        }
        router.get("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model/MLmodel") { _, _ in
            downloads.increment()
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: descriptor()))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            guard let port = client.port, let url = URL(string: "http://127.0.0.1:\(port)") else { throw CancellationError() }
            try await body(TrackingClient(baseURL: url), downloads)
        }
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("A champion that does not load is retried with backoff, not every poll")
    func backoff() async throws {
        try await Self.withTrackingServer(descriptor: { ByteBuffer(string: "flavors: [not, a, mapping") }) { client, downloads in
            // However slow this machine is, twenty polls come well within the first ten minutes.
            let watcher = ModelWatcher(
                reference: try ModelReference("models:/m@champion"),
                client: { client },
                updates: .polled(every: .milliseconds(10)),
                firstBackoff: .seconds(600),
                logger: Self.logger
            )
            for _ in 0..<20 { await watcher.refresh() }
            #expect(downloads.count == 1)
            #expect(watcher.current.model == nil && watcher.current.problem?.contains("not an MLflow model descriptor") == true)
        }
    }

    @Test("An MLmodel larger than the cap is refused without being read into memory")
    func oversized() async throws {
        let huge = ByteBuffer(repeating: UInt8(ascii: "#"), count: ModelLoader.maximumFileSize * 8)
        try await Self.withTrackingServer(descriptor: { huge }) { client, _ in
            let watcher = ModelWatcher(reference: try ModelReference("models:/m@champion"), client: { client }, logger: Self.logger)
            await watcher.refresh()
            #expect(watcher.current.problem?.contains("larger than \(ModelLoader.maximumFileSize) bytes") == true, "\(watcher.current.problem ?? "")")
        }
    }
}
