import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Serving
import Synchronization
import TestSupport
import Testing
import TrackingClient

/// How the model server learns that its alias moved: told by a tracking server in its process,
/// or polling one elsewhere.
@Suite("Following an alias")
struct AliasUpdatesTests {
    /// A registry of one model `m` whose alias `champion` points at `version` (none: 404); version
    /// N predicts N for every input. Counts the alias lookups.
    final class Registry: Sendable {
        let version = Mutex<Int?>(nil)
        let lookups = Mutex(0)
    }

    static func withTrackingServer(_ body: @escaping @Sendable (TrackingClient, Registry) async throws -> Void) async throws {
        let registry = Registry()
        let router = Router()
        router.get("/api/2.0/mlflow/registered-models/alias") { _, _ in
            registry.lookups.withLock { $0 += 1 }
            guard let version = registry.version.withLock({ $0 }) else {
                return Response(
                    status: .notFound,
                    headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered model alias champion not found."}"#
                        )
                    )
                )
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"model_version": {"version": "\#(version)", "source": "mlflow-artifacts:/0/r\#(version)/artifacts/model"}}"#
                    )
                )
            )
        }
        router.get("/api/2.0/mlflow-artifacts/artifacts/0/{run}/artifacts/model/MLmodel") { _, context in
            let version = try context.parameters.require("run").dropFirst()
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: "flavors: {}\nmetadata:\n  flowline_model:\n    coefficients: [\(version), 0]\n"
                    )
                )
            )
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            guard let port = client.port, let url = URL(string: "http://127.0.0.1:\(port)") else { throw CancellationError() }
            try await body(TrackingClient(baseURL: url), registry)
        }
    }

    /// Runs `watcher` as its service group would while `body` runs.
    static func running(_ watcher: ModelWatcher, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// How long `watcher` took to serve `version`, from now.
    static func timeToServe(_ version: String, by watcher: ModelWatcher) async throws -> Duration {
        let start = ContinuousClock.now
        try await eventually(interval: .milliseconds(1)) { watcher.current.version == version }
        return ContinuousClock.now - start
    }

    @Test("Told of a move of its alias, the watcher serves the new version at once, and asks nothing in between")
    func told() async throws {
        try await Self.withTrackingServer { client, registry in
            let log = LogCapture()
            let watcher = ModelWatcher(
                reference: try ModelReference("models:/m@champion"),
                client: { client },
                updates: .told,
                logger: log.logger(level: .debug)
            )
            try await Self.running(watcher) {
                // The first check finds no champion; the log says so once at info.
                try await eventually {
                    watcher.checksAsked == 1 && watcher.current.problem != nil && watcher.current.problem != "the model is loading"
                }
                #expect(log.messages.filter { $0.hasPrefix("info ") && $0.contains("Nothing to serve yet") }.count == 1, "\(log.messages)")
                // Moves of another model's aliases are not this watcher's business.
                watcher.aliasesMoved(of: "other")
                for version in [1, 2] {
                    registry.version.withLock { $0 = version }
                    watcher.aliasesMoved(of: "m")
                    let took = try await Self.timeToServe(String(version), by: watcher)
                    // How long is for the benchmarks to judge (a loaded machine takes seconds); here,
                    // that it was served on being told, with one lookup per move, nothing polled.
                    print("version \(version) served \(took) after the watcher was told")
                    #expect(registry.lookups.withLock { $0 } == 1 + version)
                }
                // Nothing polls: a while later the tracking server was still asked only when told.
                try await Task.sleep(for: .milliseconds(300))
                #expect(watcher.checksAsked == 3)
                #expect(registry.lookups.withLock { $0 } == 3)
            }
        }
    }

    @Test("Polled, the watcher asks every interval; an alias that is not set yet is said once at info, then at debug")
    func polled() async throws {
        try await Self.withTrackingServer { client, registry in
            let log = LogCapture()
            let watcher = ModelWatcher(
                reference: try ModelReference("models:/m@champion"),
                client: { client },
                updates: .polled(every: .milliseconds(20)),
                logger: log.logger(level: .debug)
            )
            try await Self.running(watcher) {
                try await eventually { registry.lookups.withLock { $0 } >= 5 }
                let missing = log.messages.filter { $0.contains("serving starts when the alias is set") || $0.contains("Still nothing to serve") }
                #expect(missing.first?.hasPrefix("info ") == true && missing.dropFirst().allSatisfy { $0.hasPrefix("debug ") }, "\(missing)")
                #expect(!log.messages.contains { $0.hasPrefix("warning ") }, "\(log.messages)")
                registry.version.withLock { $0 = 4 }
                _ = try await Self.timeToServe("4", by: watcher)
            }
        }
    }
}
