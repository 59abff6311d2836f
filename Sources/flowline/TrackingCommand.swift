import ArgumentParser
import FlowlineStack
import Foundation
import Logging
import ObjectStorage
import Storage
import Tracking

/// `flowline tracking …`: the MLflow-compatible tracking server.
struct TrackingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking",
        abstract: "The tracking server: MLflow's REST API, for the official mlflow client.",
        subcommands: [Serve.self, GarbageCollect.self]
    )

    /// The storage of a tracking server: `--backend-store-uri` (else `tracking.db` in the data
    /// directory) and the artifact options.
    static func configuration(
        _ backendStoreURI: String?,
        _ dataDirectory: DataDirectory,
        _ artifactOptions: ArtifactOptions,
        _ settings: Settings
    ) throws -> TrackingConfiguration {
        var backendStore: DatabaseURL?
        if let backendStoreURI, !backendStoreURI.isEmpty { backendStore = try DatabaseURL(backendStoreURI) }
        var configuration = StackConfiguration.trackingConfiguration(backendStore: backendStore, dataDirectory: dataDirectory)
        try artifactOptions.apply(to: &configuration, settings: settings)
        return configuration
    }

    /// `flowline tracking serve`, with `mlflow server`'s flag names.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the tracking server alone.",
            discussion: """
                Point the mlflow client at it with \(Settings.trackingURI.description)=\(Settings.trackingURI.defaultValue). \
                The schema is created and migrated at start.
                """
        )

        /// `--port`: this command serves one service.
        static let port = Settings.trackingPort.named("--port")

        @Option(Settings.host) var host: String?
        @Option(Serve.port) var port: Int?

        @Option(
            help: "Where runs are stored: sqlite:///path or postgresql://user:password@host:port/db (default: tracking.db in the data directory)."
        )
        var backendStoreURI: String?

        @Option(Settings.dataDirectory) var dataDir: String?

        @OptionGroup var artifactOptions: ArtifactOptions

        @Option(text: Settings.trackingLogins.named("--auth")) var auth: String?
        @Option(text: Settings.usersDatabase) var usersDatabase: String?

        @OptionGroup var http: HTTPOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let settings = Settings.process
            let dataDirectory = DataDirectory(path: try settings.value(Settings.dataDirectory, flag: dataDir))
            var configuration = try TrackingCommand.configuration(backendStoreURI, dataDirectory, artifactOptions, settings)
            configuration.host = try settings.value(Settings.host, flag: host)
            configuration.port = try settings.value(Serve.port, flag: port)
            configuration.policy = try http.policy(settings)
            try settings.logins(&configuration, text: auth)
            // The users: --users-database, else the orchestrator's --database setting, else orchestrator.db here.
            let users =
                try settings.value(Settings.usersDatabase, text: usersDatabase) ?? settings.value(Settings.database)
                ?? .sqlite(path: dataDirectory.url.appendingPathComponent("orchestrator.db").path)
            let admin = (try settings.value(Settings.adminUser), try settings.value(Settings.adminPassword))
            let logger = logging.bootstrap(try logging.level(settings))
            try await Stack.tracking(configuration, dataDirectory: dataDirectory, users: users, admin: admin, logger: logger, output: printNow)
        }
    }

    /// `flowline tracking gc`: MLflow's `mlflow gc`.
    struct GarbageCollect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Permanently delete deleted runs and experiments, and their artifacts (MLflow's `mlflow gc`).",
            discussion: """
                Runs and experiments deleted in the UI or with the client stay restorable until collected. Each run's \
                artifacts are deleted first, then its records; a run whose artifacts cannot be deleted stays for the next \
                collection. Give the artifact settings the server runs with.
                """
        )

        @Option(help: "Where runs are stored (default: tracking.db in the data directory).")
        var backendStoreURI: String?
        @Option(Settings.dataDirectory) var dataDir: String?
        @OptionGroup var artifactOptions: ArtifactOptions
        @Option(help: "Only what was deleted at least this long ago, as 30d, 12h or 1d2h3m4s (default: all that is deleted).")
        var olderThan: String?
        @Option(help: "Only these deleted runs, comma-separated.")
        var runIds: String?
        @Option(help: "Only the deleted runs of these experiments, and these experiments once they are deleted, comma-separated.")
        var experimentIds: String?

        func run() async throws {
            let settings = Settings.process
            let dataDirectory = DataDirectory(path: try settings.value(Settings.dataDirectory, flag: dataDir))
            let configuration = try TrackingCommand.configuration(backendStoreURI, dataDirectory, artifactOptions, settings)
            var age: Int64 = 0
            if let olderThan {
                guard let milliseconds = Self.milliseconds(olderThan) else {
                    throw ValidationError("--older-than '\(olderThan)' is not a duration such as 30d, 12h or 1d2h3m4s")
                }
                age = milliseconds
            }
            let runs = Self.list(runIds)
            let experiments = Self.list(experimentIds)
            // Runs of the non-proxied mode have s3:// locations wherever the server's destination is.
            let access = configuration.objectStore ?? (try? settings.objectStoreAccess(for: "gc"))
            let client = access?.client()
            var logger = Logger(label: "flowline")
            logger.logLevel = .error
            let database = try await Database.open(configuration.backendStore, migrations: TrackingMigrations.all, logger: logger)
            let locations = ArtifactLocations(proxied: try configuration.proxiedRepository(objectStore: client), objectStore: client)
            let store = TrackingStore(database: database)
            do {
                try await whileOpen(database) { [age] in
                    try await Self.collect(store: store, locations: locations, olderThan: age, runIDs: runs, experimentIDs: experiments)
                }
            } catch {
                await client?.shutdown()
                throw error
            }
            await client?.shutdown()
        }

        static func collect(
            store: TrackingStore,
            locations: ArtifactLocations,
            olderThan: Int64,
            runIDs: [String],
            experimentIDs: [String]
        ) async throws {
            var failures = 0
            let deleted = try await store.deletedRuns(olderThan: olderThan, runIDs: runIDs, experimentIDs: experimentIDs)
            for run in deleted {
                do {
                    let reached = try await locations.deleteArtifacts(of: run.artifactURI)
                    try await store.purgeRun(id: run.runID)
                    printNow(
                        "Run \(run.runID) deleted permanently"
                            + (reached
                                ? ", with its artifacts at \(run.artifactURI)."
                                : " (its artifacts at \(run.artifactURI) are not this server's to delete).")
                    )
                } catch {
                    failures += 1
                    printNow("Run \(run.runID) kept: its artifacts at \(run.artifactURI) could not be deleted: \(error)")
                }
            }
            if runIDs.isEmpty {
                for experiment in try await store.deletedExperiments(olderThan: olderThan, experimentIDs: experimentIDs) {
                    do {
                        for uri in experiment.modelArtifactURIs { try await locations.deleteArtifacts(of: uri) }
                        try await store.purgeExperiment(id: experiment.experimentID)
                        printNow("Experiment \(experiment.experimentID) deleted permanently.")
                    } catch {
                        failures += 1
                        printNow("Experiment \(experiment.experimentID) kept: its models' artifacts could not be deleted: \(error)")
                    }
                }
            }
            printNow("Garbage collection done: \(deleted.count - min(failures, deleted.count)) run(s) deleted permanently.")
            if failures > 0 { throw CommandFailure("\(failures) could not be deleted; run gc again once the artifact store answers") }
        }

        static func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        /// `1d2h3m4s` (any of the parts, in that order) in milliseconds; `nil` when it is not one.
        static func milliseconds(_ text: String) -> Int64? {
            let units: [Character: Int64] = ["d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000]
            var total: Int64 = 0
            var number = ""
            var lastUnit = Int64.max
            for character in text {
                if character.isASCII, character.isNumber {
                    number.append(character)
                } else if let unit = units[character], let value = Int64(number), unit < lastUnit, value <= 1_000_000 {
                    total += value * unit
                    number = ""
                    lastUnit = unit
                } else {
                    return nil
                }
            }
            return number.isEmpty && !text.isEmpty ? total : nil
        }
    }
}
