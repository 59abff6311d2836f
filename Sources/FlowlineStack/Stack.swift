import ExampleProjects
import Foundation
import HTTPSupport
public import Logging
public import ObjectStorage
public import OrchestratorAPI
import OrchestratorDatabase
public import Samples
import Scheduling
import ServiceLifecycle
public import Serving
public import Storage
import Synchronization
import TaskExecution
public import Tracking
public import TrackingClient
import UnixSignals
import WebUI
import Workflow

/// Composes Flowline's services and runs them until SIGINT or SIGTERM, then shuts them down
/// gracefully (requests in flight are finished).
public enum Stack {
    /// Runs the whole stack (`flowline up`) in this process, with all state in the configured data
    /// directory, which stays locked while the stack runs.
    /// - Parameter output: where the banner with the services' URLs is written.
    /// - Throws: ``DataDirectoryError`` or ``StackError`` when the stack cannot start.
    public static func up(_ configuration: StackConfiguration, logger: Logger, output: @escaping @Sendable (String) -> Void) async throws {
        raiseDescriptorLimit(logger: logger)
        let directory = configuration.dataDirectory
        try directory.prepare()
        let lock = try directory.lock()
        // Another data directory does not make another database: one server per SQLite file.
        let serverLock = try DatabaseServerLock.take(for: configuration.orchestrator.database)
        defer { withExtendedLifetime((lock, serverLock)) {} }
        try protect(directory, for: configuration.orchestrator)

        // Tracking and orchestrator share one database when both are given the same URL (one
        // PostgreSQL database); by default each has its own SQLite file.
        let shared = configuration.orchestrator.database == configuration.tracking.backendStore
        let database = try await Database.open(
            configuration.tracking.backendStore,
            migrations: TrackingMigrations.all + (shared ? OrchestratorMigrations.all : []),
            logger: logger.labelled("flowline.database")
        )
        let orchestratorDatabase =
            shared
            ? database
            : try await Database.open(
                configuration.orchestrator.database,
                migrations: OrchestratorMigrations.all,
                logger: logger.labelled("flowline.database")
            )
        let tracking = configuration.tracking
        // One client for every use of the store (artifacts, run data): the same settings give both.
        var orchestration = configuration.orchestrator
        let objectStore = try await openObjectStore(
            tracking.objectStore ?? orchestration.objectStore,
            buckets: tracking.buckets + [orchestration.runStorageBucket?.bucket].compactMap { $0 }
        )
        useBucket(&orchestration, objectStore?.client)
        let (scheduler, tokens, repository) = try await makeOrchestrator(orchestration, database: orchestratorDatabase, logger: logger)
        var trackingConfiguration = tracking
        logins(&trackingConfiguration, store: scheduler.store, tokens: tokens)
        let banner = ReadinessBanner(
            expected: ["orchestrator", "tracking", "samples", "serving"],
            header: "Flowline \(FlowlineVersion.current) is up. Data directory: \(directory.path)" + artifactsLine(tracking)
                + runStorageLine(orchestration) + loginsLine(tracking),
            footer: "DAGs folder: \(orchestration.folders.dags.path)\n" + (repository.map(exampleLines) ?? "") + "Press Ctrl-C to stop.",
            output: output
        )
        // The model server asks the tracking server of this stack, known once it listens, and is
        // told by it when an alias moves (it does not poll); the tracking UI links back to the
        // orchestrator's.
        let trackingClient = Mutex<TrackingClient?>(nil)
        let orchestratorURL = Mutex<String?>(nil)
        let watcher = ModelWatcher(
            reference: configuration.serving.model,
            client: { trackingClient.withLock { $0 } },
            updates: .told,
            logger: logger.labelled("flowline.serving")
        )
        // The databases come first: services shut down in reverse order, so they outlive the servers.
        try await run(
            [objectStore].compactMap { $0 } + (shared ? [database] : [database, orchestratorDatabase]) + [
                scheduler,
                try orchestratorService(orchestration, scheduler: scheduler, tokens: tokens, banner: banner, logger: logger) { url in
                    orchestratorURL.withLock { $0 = url }
                },
                try trackingService(
                    trackingConfiguration,
                    database: database,
                    objectStore: objectStore?.client,
                    banner: banner,
                    logger: logger,
                    orchestratorURL: { orchestratorURL.withLock { $0 } },
                    aliasesMoved: { watcher.aliasesMoved(of: $0) }
                ) { url in
                    var client = try? TrackingClient(trackingURI: url)
                    client?.objectStore = objectStore?.client
                    if tracking.asksForLogins,
                        let token = try? await tokens.issueTaskToken(
                            dagID: "flowline",
                            runID: "up",
                            taskID: "model-server",
                            lifetime: .seconds(10 * 365 * 86400)
                        )
                    {
                        client?.authorization = "Bearer \(token)"
                    }
                    trackingClient.withLock { $0 = client }
                    watcher.checkNow()
                    try? await scheduler.store.setStackVariable("tracking_uri", value: url)
                },
                samplesService(configuration.samples, banner: banner, logger: logger) { url in
                    try? await scheduler.store.setStackVariable("samples_url", value: url)
                },
                watcher,
                servingService(configuration.serving, watcher: watcher, banner: banner, logger: logger),
            ],
            logger: logger
        )
        output("Flowline stopped.")
    }

    /// Runs the orchestrator alone (`flowline server`): scheduler, executor and its HTTP server.
    public static func orchestrator(
        _ configuration: OrchestratorConfiguration,
        dataDirectory: DataDirectory,
        logger: Logger,
        output: @escaping @Sendable (String) -> Void
    ) async throws {
        raiseDescriptorLimit(logger: logger)
        try dataDirectory.prepare()
        let lock = try dataDirectory.lock()
        let serverLock = try DatabaseServerLock.take(for: configuration.database)
        defer { withExtendedLifetime((lock, serverLock)) {} }
        try protect(dataDirectory, for: configuration)
        let database = try await Database.open(
            configuration.database,
            migrations: OrchestratorMigrations.all,
            logger: logger.labelled("flowline.database")
        )
        var configuration = configuration
        let objectStore = try await openObjectStore(configuration.objectStore, buckets: [configuration.runStorageBucket?.bucket].compactMap { $0 })
        useBucket(&configuration, objectStore?.client)
        let (scheduler, tokens, _) = try await makeOrchestrator(configuration, database: database, logger: logger)
        let banner = ReadinessBanner(
            expected: ["orchestrator"],
            header: "Flowline orchestrator \(FlowlineVersion.current). Database: \(configuration.database)" + runStorageLine(configuration),
            footer: "DAGs folder: \(configuration.folders.dags.path)\nPress Ctrl-C to stop.",
            output: output
        )
        try await run(
            [objectStore as (any Service)?, database].compactMap { $0 } + [
                scheduler, try orchestratorService(configuration, scheduler: scheduler, tokens: tokens, banner: banner, logger: logger),
            ],
            logger: logger
        )
    }

    /// A client of the S3-compatible store when `access` is given, once `buckets` are checked.
    static func openObjectStore(_ access: ObjectStoreAccess?, buckets: [String]) async throws -> ObjectStoreService? {
        guard let access else { return nil }
        return try await ObjectStoreService.open(access, buckets: Array(Set(buckets)).sorted())
    }

    /// Points the orchestrator at its bucket (``OrchestratorConfiguration/runStorageBucket``):
    /// task data there, and finished tries' logs archived there.
    static func useBucket(_ configuration: inout OrchestratorConfiguration, _ client: S3Client?) {
        guard let bucket = configuration.runStorageBucket, let client else { return }
        let storage = S3RunStorage(client: client, location: bucket)
        configuration.runStorage = storage
        configuration.folders.logArchive = storage
    }

    /// Where the orchestrator keeps run data, for its banner, when in a bucket.
    static func runStorageLine(_ configuration: OrchestratorConfiguration) -> String {
        guard let bucket = configuration.runStorageBucket else { return "" }
        return "\nRun storage: \(bucket) at \(configuration.objectStore?.endpoint.url?.absoluteString ?? "AWS S3")"
    }

    /// The scheduler, the login tokens and the example model repository (with examples on); once
    /// the database runs, the first admin on a database without users.
    static func makeOrchestrator(
        _ configuration: OrchestratorConfiguration,
        database: Database,
        logger: Logger
    ) async throws -> (Scheduler, TokenService, ExampleModelRepository?) {
        let store = OrchestratorStore(database: database, hostname: serverName(configuration))
        let tokens = TokenService.shared(by: store)
        // Every try gets a token of its own for the tracking server (used when it asks for logins).
        var schedulerConfiguration = configuration.schedulerConfiguration
        schedulerConfiguration.trackingTokens = { dagID, runID, taskID, timeout in
            try await tokens.issueTaskToken(dagID: dagID, runID: runID, taskID: taskID, lifetime: trackingTokenLifetime(timeout))
        }
        var repository: ExampleModelRepository?
        if configuration.installExamples {
            let example = try ExampleModelRepository.ensure(at: configuration.exampleRepository)
            try ExampleDAGs.install(
                into: configuration.folders.dags,
                substitutions: [
                    "MODEL_COMMIT": example.head, "INSTALL_DATE": String(ISO8601DateFormatter().string(from: Date()).prefix(10)),
                    "MODEL_COMMITS": example.commits.map { "\($0.sha) (\($0.name))" }.joined(separator: ", "),
                ]
            )
            repository = example
        } else {
            try FileManager.default.createDirectory(at: configuration.folders.dags, withIntermediateDirectories: true)
        }
        let scheduler = Scheduler(
            store: store,
            configuration: schedulerConfiguration,
            logger: logger.labelled("flowline.scheduler"),
            onStart: { [repository] in
                try await ensureAdmin(configuration, store: store, logger: logger)
                // The example DAG trains the repository this Variable names (admins may point it elsewhere).
                if let repository { try await store.setStackVariable("model_repo", value: repository.url.path) }
            }
        )
        return (scheduler, tokens, repository)
    }

    /// How long a try's tracking token lasts: its timeout, else 6 hours, and 10 minutes more.
    static func trackingTokenLifetime(_ timeout: Duration?) -> Duration {
        (timeout ?? .seconds(6 * 3600)) + .seconds(600)
    }

    /// The tracking server's logins when it asks for them: the users and tokens of `store`.
    static func logins(_ tracking: inout TrackingConfiguration, store: OrchestratorStore, tokens: TokenService) {
        guard tracking.asksForLogins else { return }
        tracking.authenticator = TrackingLogins(store: store, tokens: tokens)
    }

    /// What the tracking server's banner says of logins.
    static func loginsLine(_ tracking: TrackingConfiguration) -> String {
        if tracking.asksForLogins {
            return "\nTracking logins: on, the orchestrator's users (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN)"
        }
        if LoginMode.isLoopback(tracking.host) { return "" }
        return "\nTracking logins: OFF while listening on \(tracking.host): anyone who reaches the tracking server can read and write"
    }

    /// The name this server's tries record as their host: the host name, and on PostgreSQL, where
    /// several servers share the database, `host:port` (`host:pid<n>` on an ephemeral port), so
    /// that each server (and the same server restarted) knows its own tries and the scheduler
    /// lease knows its holder.
    static func serverName(_ configuration: OrchestratorConfiguration) -> String {
        let host = ProcessInfo.processInfo.hostName
        guard case .postgresql = configuration.database else { return host }
        return configuration.port == 0 ? "\(host):pid\(getpid())" : "\(host):\(configuration.port)"
    }

    /// Keeps the data directory from other local users: 0700, or 0711 with a task user, who may
    /// pass through to `workspaces/` (0711) and its own run folders but lists nothing, and reaches
    /// none of the server's files (databases 0600; logs, caches, artifacts and the example
    /// repository 0700). Earlier versions kept the token signing key in `<data-dir>/jwt-secret`;
    /// it now lives only in the server's memory, and a key left on disk is deleted.
    static func protect(_ directory: DataDirectory, for orchestrator: OrchestratorConfiguration) throws {
        try? FileManager.default.removeItem(at: directory.url.appendingPathComponent("jwt-secret"))
        let shared = orchestrator.taskUser != nil
        try directory.restrictAccess(traversable: shared)
        guard shared else { return }
        let workspaces = orchestrator.folders.workspaces
        let dags = orchestrator.folders.dags.standardizedFileURL.path
        let manager = FileManager.default
        for name in ["logs", "cache", "artifacts", "examples", "workspaces"] {
            try manager.createDirectory(at: directory.url.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        // A run storage of its own (shared by servers) holds outputs and logs: the server's only.
        let runStorage = orchestrator.folders.runStorage
        try manager.createDirectory(at: runStorage, withIntermediateDirectories: true)
        guard chmod(runStorage.path, 0o700) == 0 else {
            throw DataDirectoryError("cannot set the mode of \(runStorage.path): \(String(cString: strerror(errno)))")
        }
        for name in try manager.contentsOfDirectory(atPath: directory.path) {
            let path = directory.url.appendingPathComponent(name).standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard path != dags, manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { continue }
            let mode: mode_t = path == workspaces.standardizedFileURL.path ? 0o711 : 0o700
            guard chmod(path, mode) == 0 else {
                throw DataDirectoryError("cannot set the mode of \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The banner's lines on the example model repository: where it is and the commits to try.
    static func exampleLines(_ repository: ExampleModelRepository) -> String {
        var text = "Example model repository: \(repository.url.path)\n"
        for commit in repository.commits {
            text +=
                "  \(commit.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(commit.sha)\(commit.sha == repository.head ? "  (the DAG's default)" : "")\n"
        }
        return text
    }

    static func ensureAdmin(_ configuration: OrchestratorConfiguration, store: OrchestratorStore, logger: Logger) async throws {
        if try await store.ensureAdmin(username: configuration.adminUsername, password: configuration.adminPassword) {
            logger.notice("Created the admin user '\(configuration.adminUsername)' (\(Settings.adminUser) / \(Settings.adminPassword))")
        }
        if configuration.listensBeyondLoopback,
            (try? await store.authenticate(configuration.adminUsername, password: OrchestratorConfiguration.defaultAdminPassword)) != nil
        {
            logger.warning(
                """
                ⚠️  The orchestrator listens on \(configuration.host), beyond this machine, and the user '\(configuration.adminUsername)' still has \
                the default password. Change it now: flowline users set-password \(configuration.adminUsername)
                """
            )
        }
    }

    static func orchestratorService(
        _ configuration: OrchestratorConfiguration,
        scheduler: Scheduler,
        tokens: TokenService,
        banner: ReadinessBanner,
        logger: Logger,
        onURL: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> some Service {
        let orchestration = Orchestration(scheduler: scheduler)
        let ui = try OrchestratorUI(orchestration: orchestration, configuration: configuration)
        return buildOrchestratorApplication(
            configuration: configuration,
            orchestration: orchestration,
            tokens: tokens,
            version: FlowlineVersion.current,
            logger: logger.labelled("flowline.orchestrator"),
            addRoutes: { ui.addRoutes(to: $0) },
            onServerRunning: { port in
                onURL("http://\(ReadinessBanner.urlHost(configuration.host)):\(port)")
                // Ready once the scheduler is: the first admin exists and the DAGs are loaded.
                await scheduler.waitUntilStarted()
                await banner.ready("orchestrator", host: configuration.host, port: port) { _ in
                    "web UI and Airflow's REST API; first admin: \(configuration.adminUsername)"
                }
            }
        )
    }

    /// Runs the tracking server alone (`flowline tracking serve`), with its data directory locked
    /// when its storage is there.
    /// - Parameters:
    ///   - users: the orchestrator's database, whose users log in when the server asks for logins.
    ///   - admin: the first admin created there when it has no users yet.
    public static func tracking(
        _ configuration: TrackingConfiguration,
        dataDirectory: DataDirectory,
        users: DatabaseURL,
        admin: (username: String, password: String),
        logger: Logger,
        output: @escaping @Sendable (String) -> Void
    ) async throws {
        raiseDescriptorLimit(logger: logger)
        try dataDirectory.prepare()
        let lock = try dataDirectory.lock()
        defer { withExtendedLifetime(lock) {} }
        try dataDirectory.restrictAccess()
        // The orchestrator's users, from its database: the same one when both share PostgreSQL.
        let sharesUsers = configuration.asksForLogins && users == configuration.backendStore
        let database = try await Database.open(
            configuration.backendStore,
            migrations: TrackingMigrations.all + (sharesUsers ? OrchestratorMigrations.all : []),
            logger: logger.labelled("flowline.database")
        )
        let objectStore = try await openObjectStore(configuration.objectStore, buckets: configuration.buckets)
        var configuration = configuration
        var usersDatabase: Database?
        if configuration.asksForLogins {
            if !sharesUsers {
                usersDatabase = try await Database.open(users, migrations: OrchestratorMigrations.all, logger: logger.labelled("flowline.database"))
            }
            let store = OrchestratorStore(database: usersDatabase ?? database)
            logins(&configuration, store: store, tokens: TokenService.shared(by: store))
            let first = admin
            configuration.onStart = {
                if try await store.ensureAdmin(username: first.username, password: first.password) {
                    logger.notice("Created the admin user '\(first.username)' (\(Settings.adminUser) / \(Settings.adminPassword))")
                }
            }
        }
        let banner = ReadinessBanner(
            expected: ["tracking"],
            header: "Flowline tracking \(FlowlineVersion.current). Backend store: \(configuration.backendStore)" + artifactsLine(configuration)
                + loginsLine(configuration),
            footer: "Press Ctrl-C to stop.",
            output: output
        )
        try await run(
            [objectStore as (any Service)?, database, usersDatabase].compactMap { $0 } + [
                try trackingService(configuration, database: database, objectStore: objectStore?.client, banner: banner, logger: logger)
            ],
            logger: logger
        )
    }

    /// Where the tracking server keeps artifacts, for its banner.
    static func artifactsLine(_ configuration: TrackingConfiguration) -> String {
        guard configuration.usesObjectStore else { return "" }
        let endpoint = configuration.objectStore?.endpoint.url?.absoluteString ?? "AWS S3"
        return configuration.serveArtifacts
            ? "\nArtifacts: \(configuration.artifactsDestination) at \(endpoint), proxied"
            : "\nArtifacts: \(configuration.defaultArtifactRoot ?? "") at \(endpoint), not proxied (clients reach the store themselves)"
    }

    /// The tracking application, reporting its address to `banner` once it listens.
    static func trackingService(
        _ configuration: TrackingConfiguration,
        database: Database,
        objectStore: S3Client?,
        banner: ReadinessBanner,
        logger: Logger,
        orchestratorURL: @escaping @Sendable () -> String? = { nil },
        aliasesMoved: @escaping @Sendable (_ model: String) -> Void = { _ in },
        onURL: @escaping @Sendable (String) async -> Void = { _ in }
    ) throws -> some Service {
        try buildTrackingApplication(
            configuration: configuration,
            database: database,
            objectStore: objectStore,
            version: FlowlineVersion.current,
            logger: logger.labelled("flowline.tracking"),
            aliasesMoved: aliasesMoved,
            addRoutes: { router, store, artifacts in
                do {
                    try TrackingUI(store: store, artifacts: artifacts, orchestratorURL: orchestratorURL).addRoutes(to: router)
                } catch {
                    logger.error("The tracking web UI's templates do not compile: \(error)")
                }
            },
            onServerRunning: { port in
                // The stack's Variables are set before the banner says the stack is ready.
                await onURL("http://\(ReadinessBanner.urlHost(configuration.host)):\(port)")
                await banner.ready("tracking", host: configuration.host, port: port) { "web UI; MLFLOW_TRACKING_URI=\($0)" }
            }
        )
    }

    /// Runs a model server alone (`flowline models serve`).
    /// - Parameter objectStore: reaches models whose artifacts are `s3://` locations (a tracking
    ///   server with `--no-serve-artifacts`).
    public static func serving(
        _ configuration: ServingConfiguration,
        client: TrackingClient,
        objectStore: ObjectStoreAccess? = nil,
        logger: Logger,
        output: @escaping @Sendable (String) -> Void
    ) async throws {
        raiseDescriptorLimit(logger: logger)
        let banner = ReadinessBanner(
            expected: ["serving"],
            header: "Flowline model server \(FlowlineVersion.current): \(configuration.model) from \(client.baseURL.absoluteString)",
            footer: "Press Ctrl-C to stop.",
            output: output
        )
        let store = try await openObjectStore(objectStore, buckets: [])
        var client = client
        client.objectStore = store?.client
        let watcher = ModelWatcher(configuration, client: client, logger: logger.labelled("flowline.serving"))
        try await run(
            [store as (any Service)?].compactMap { $0 } + [watcher, servingService(configuration, watcher: watcher, banner: banner, logger: logger)],
            logger: logger
        )
    }

    /// The scoring server, reporting its address to `banner` once it listens.
    static func servingService(_ configuration: ServingConfiguration, watcher: ModelWatcher, banner: ReadinessBanner, logger: Logger) -> some Service
    {
        buildServingApplication(
            host: configuration.host,
            port: configuration.port,
            policy: configuration.policy,
            watcher: watcher,
            version: FlowlineVersion.current,
            logger: logger.labelled("flowline.serving"),
            onServerRunning: { port in
                await banner.ready("serving", host: configuration.host, port: port) { "POST \($0)/invocations (\(configuration.model))" }
            }
        )
    }

    /// Runs the samples service alone (`flowline samples serve`).
    public static func samples(_ configuration: SamplesConfiguration, logger: Logger, output: @escaping @Sendable (String) -> Void) async throws {
        raiseDescriptorLimit(logger: logger)
        let banner = ReadinessBanner(
            expected: ["samples"],
            header: "Flowline line samples \(FlowlineVersion.current)",
            footer: "Press Ctrl-C to stop.",
            output: output
        )
        try await run([samplesService(configuration, banner: banner, logger: logger)], logger: logger)
    }

    /// The samples application, reporting its address to `banner` once it listens.
    static func samplesService(
        _ configuration: SamplesConfiguration,
        banner: ReadinessBanner,
        logger: Logger,
        onURL: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some Service {
        buildSamplesApplication(
            configuration: configuration,
            version: FlowlineVersion.current,
            logger: logger.labelled("flowline.samples"),
            onServerRunning: { port in
                await onURL("http://\(ReadinessBanner.urlHost(configuration.host)):\(port)")
                await banner.ready("samples", host: configuration.host, port: port) { "API docs: \($0)/docs" }
            }
        )
    }

    /// Raises this process's open-file limit to its hard limit, first thing as servers start:
    /// each server's connection cap follows the limit when it is built
    /// (``ServerPolicy/defaultMaximumConnections``).
    static func raiseDescriptorLimit(logger: Logger) {
        let limit = DescriptorLimit.raise()
        logger.debug("Open file descriptor limit: \(limit.map(String.init) ?? "unknown")")
    }

    static func run(_ services: [any Service], logger: Logger) async throws {
        // A service that ends or fails (a port in use) shuts the others down gracefully rather
        // than cancelling them: a server cancelled with a connection it accepted but has not yet
        // served traps in NIO ("Deinited NIOAsyncWriter without calling finish()").
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            throw StackError(explaining: error)
        }
    }
}

/// A service of the stack failed to start or stopped with an error.
public struct StackError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ description: String) {
        self.description = description
    }

    init(explaining error: any Error) {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("errno: 98") {
            description = "a port Flowline needs is already in use (\(text)); stop what uses it, or choose another port (0 picks a free one)"
        } else if text.contains("Cannot assign requested address") || text.contains("errno: 99") {
            description = "cannot listen on the requested host: it is not an address of this machine (\(text))"
        } else {
            description = text
        }
    }
}

extension Logger {
    /// A copy of this logger with another label and the same level and metadata.
    func labelled(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}
