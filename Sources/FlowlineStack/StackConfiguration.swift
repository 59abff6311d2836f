import Foundation
public import HTTPSupport
public import Logging
import ObjectStorage
public import OrchestratorAPI
public import Samples
public import Serving
public import Storage
import TaskExecution
public import Tracking
import TrackingClient
import Workflow

/// Everything `flowline up` needs, resolved from flags, the environment and defaults.
public struct StackConfiguration: Sendable {
    /// Where all state lives.
    public var dataDirectory: DataDirectory
    /// Address every service listens on.
    public var host: String
    /// The samples service; its host is ``host``.
    public var samples: SamplesConfiguration
    /// The tracking server; its host is ``host``.
    public var tracking: TrackingConfiguration
    /// The orchestrator; its host is ``host``.
    public var orchestrator: OrchestratorConfiguration
    /// The model server of the example pipeline's champion; its host is ``host``.
    public var serving: ServingConfiguration
    public var logLevel: Logger.Level

    /// The flags of `flowline up`, `nil` where not given.
    public struct Flags: Sendable {
        public var dataDir: String?
        public var host: String?
        public var samplesPort: Int?
        public var trackingPort: Int?
        public var servingPort: Int?
        public var database: String?
        public var logLevel: String?
        public var orchestrator = OrchestratorFlags()
        /// `--allowed-hosts` and `--trusted-origins`, for every server.
        public var allowedHosts: String?
        public var trustedOrigins: String?

        public init(
            dataDir: String? = nil,
            host: String? = nil,
            samplesPort: Int? = nil,
            trackingPort: Int? = nil,
            database: String? = nil,
            logLevel: String? = nil
        ) {
            self.dataDir = dataDir
            self.host = host
            self.samplesPort = samplesPort
            self.trackingPort = trackingPort
            self.database = database
            self.logLevel = logLevel
        }
    }

    /// The orchestrator's flags, shared by `flowline up` and `flowline server`.
    public struct OrchestratorFlags: Sendable {
        public var port: Int?
        public var dagsFolder: String?
        public var parallelism: Int?
        public var python: String?
        public var noExamples = false
        /// `--task-user`: the OS user task processes run as.
        public var taskUser: String?
        /// `--task-env`: more of the server's environment variables tasks may see.
        public var taskEnvironment: [String] = []
        /// `--no-local-executor`: workers run every task.
        public var noLocalExecutor = false
        /// `--worker-timeout`, as written.
        public var workerTimeout: String?
        /// `--run-storage`: the folder of the run storage.
        public var runStorage: String?
        /// `--max-task-output-size`, as given.
        public var maximumTaskOutputSize: String?
        /// `--scheduler-lease`: how long the scheduling server's lease lasts unrenewed.
        public var schedulerLease: String?

        public init(
            port: Int? = nil,
            dagsFolder: String? = nil,
            parallelism: Int? = nil,
            python: String? = nil,
            noExamples: Bool = false,
            taskUser: String? = nil,
            taskEnvironment: [String] = [],
            runStorage: String? = nil,
            maximumTaskOutputSize: String? = nil
        ) {
            self.port = port
            self.dagsFolder = dagsFolder
            self.parallelism = parallelism
            self.python = python
            self.noExamples = noExamples
            self.taskUser = taskUser
            self.taskEnvironment = taskEnvironment
            self.runStorage = runStorage
            self.maximumTaskOutputSize = maximumTaskOutputSize
        }
    }

    public init(
        dataDirectory: DataDirectory,
        host: String,
        samples: SamplesConfiguration,
        tracking: TrackingConfiguration,
        orchestrator: OrchestratorConfiguration,
        serving: ServingConfiguration,
        logLevel: Logger.Level
    ) {
        self.serving = serving
        self.dataDirectory = dataDirectory
        self.host = host
        self.orchestrator = orchestrator
        self.samples = samples
        self.tracking = tracking
        self.logLevel = logLevel
    }

    /// Resolves the configuration: flags, then `FLOWLINE_…` variables, then defaults (``Settings``).
    /// - Throws: ``SettingsError`` naming the setting that is invalid.
    public static func resolve(_ flags: Flags, settings: Settings) throws -> StackConfiguration {
        let host = try settings.value(Settings.host, flag: flags.host)
        var samples = SamplesConfiguration(host: host)
        samples.port = try settings.value(Settings.samplesPort, flag: flags.samplesPort)
        samples.maximumSamplesPerRequest = try settings.value(Settings.samplesMaximum)
        let dataDirectory = DataDirectory(path: try settings.value(Settings.dataDirectory, flag: flags.dataDir))
        let database = try settings.value(Settings.database, text: flags.database)
        var tracking = trackingConfiguration(backendStore: database, dataDirectory: dataDirectory)
        try settings.artifactStorage(&tracking, destination: nil, noServeArtifacts: false, defaultRoot: nil)
        try artifactLimits(&tracking, maximumSize: nil, deleteCredential: nil, settings: settings)
        tracking.host = host
        tracking.port = try settings.value(Settings.trackingPort, flag: flags.trackingPort)
        var orchestrator = try orchestratorConfiguration(flags.orchestrator, database: database, dataDirectory: dataDirectory, settings: settings)
        orchestrator.host = host
        var serving = ServingConfiguration(
            host: host,
            port: try settings.value(Settings.servingPort, flag: flags.servingPort),
            model: try ModelReference(ServingConfiguration.defaultModel)
        )
        let policy = try serverPolicy(allowedHosts: flags.allowedHosts, trustedOrigins: flags.trustedOrigins, settings: settings)
        samples.policy = policy
        tracking.policy = policy
        orchestrator.policy = policy
        serving.policy = policy
        return StackConfiguration(
            dataDirectory: dataDirectory,
            host: host,
            samples: samples,
            tracking: tracking,
            orchestrator: orchestrator,
            serving: serving,
            logLevel: try settings.value(Settings.logLevel, text: flags.logLevel)
        )
    }

    /// The orchestrator's settings: flags, then `FLOWLINE_…` variables, then the data directory's
    /// defaults (`orchestrator.db`, `dags/`, `logs/`, `workspaces/`).
    /// - Parameter database: the database; `nil`: `orchestrator.db` in the data directory.
    /// - Throws: ``SettingsError`` for an unusable setting.
    public static func orchestratorConfiguration(
        _ flags: OrchestratorFlags,
        database: DatabaseURL?,
        dataDirectory: DataDirectory,
        settings: Settings
    ) throws -> OrchestratorConfiguration {
        let dagsFolder = try settings.value(Settings.dagsFolder, flag: flags.dagsFolder)
        var configuration = OrchestratorConfiguration.inDataDirectory(
            dataDirectory.url,
            database: database,
            dagsFolder: dagsFolder.isEmpty ? nil : DataDirectory.absolute(dagsFolder)
        )
        let runStorage = try settings.value(Settings.runStorage, flag: flags.runStorage)
        if runStorage.hasPrefix("s3://") {
            // Task data and finished tries' logs in the bucket; logs of running tries stay here.
            do {
                configuration.runStorageBucket = try S3Location(runStorage)
            } catch {
                throw SettingsError("--run-storage: \(error.description)")
            }
            configuration.objectStore = try settings.objectStoreAccess(for: "--run-storage \(runStorage)")
        } else if !runStorage.isEmpty {
            // Shared by the servers that share work: so are the tries' logs, whichever server ran a
            // try or heard its worker (`+logs`: a name no stored run's folder can have).
            let folder = URL(fileURLWithPath: DataDirectory.absolute(runStorage), isDirectory: true)
            configuration.folders.runStorage = folder
            configuration.folders.logs = folder.appendingPathComponent("+logs", isDirectory: true)
        }
        configuration.maximumTaskOutputSize = try settings.value(Settings.maximumTaskOutputSize, text: flags.maximumTaskOutputSize)
        configuration.port = try settings.value(Settings.orchestratorPort, flag: flags.port)
        configuration.parallelism = try settings.value(Settings.parallelism, flag: flags.parallelism)
        let python = try settings.value(Settings.python, flag: flags.python)
        // Tasks run in their own workspace: a relative interpreter path is the caller's, so resolve
        // it here; a bare name is looked up on PATH.
        configuration.python = python.contains("/") ? DataDirectory.absolute(python) : python
        configuration.installExamples = try !settings.value(Settings.noExamples, flag: flags.noExamples ? true : nil)
        configuration.localExecutor = try !settings.value(Settings.noLocalExecutor, flag: flags.noLocalExecutor ? true : nil)
        configuration.workerTimeout = try settings.value(Settings.workerTimeout, text: flags.workerTimeout)
        configuration.version = FlowlineVersion.current
        configuration.schedulerLease = try settings.value(Settings.schedulerLease, text: flags.schedulerLease)
        configuration.adminUsername = try settings.value(Settings.adminUser)
        configuration.adminPassword = try settings.value(Settings.adminPassword)
        let passThrough = flags.taskEnvironment.isEmpty ? nil : flags.taskEnvironment.joined(separator: ",")
        configuration.taskEnvironment = TaskEnvironment(passThrough: Set(try settings.value(Settings.taskEnvironment, text: passThrough)))
        let taskUser = try settings.value(Settings.taskUser, flag: flags.taskUser)
        if !taskUser.isEmpty {
            do {
                configuration.taskUser = try TaskUser.resolve(
                    taskUser,
                    launcher: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
                )
            } catch {
                throw SettingsError(error.message)
            }
        }
        return configuration
    }

    /// The tracking server's storage by default: the given database, else an SQLite file, and the
    /// artifact folder in the data directory (``Settings/artifactStorage(_:destination:noServeArtifacts:defaultRoot:)``
    /// sets what is configured).
    public static func trackingConfiguration(backendStore: DatabaseURL?, dataDirectory: DataDirectory) -> TrackingConfiguration {
        let backend = backendStore ?? .sqlite(path: dataDirectory.url.appendingPathComponent("tracking.db").path)
        return TrackingConfiguration(backendStore: backend, artifactsDestination: dataDirectory.url.appendingPathComponent("artifacts").path)
    }

    /// The tracking server's artifact limits: ``Settings/maximumArtifactSize`` and
    /// ``Settings/artifactsDeleteCredential``, from their flags' text or the environment.
    /// - Throws: ``SettingsError`` for a size or credential that cannot be read.
    public static func artifactLimits(
        _ tracking: inout TrackingConfiguration,
        maximumSize: String?,
        deleteCredential: String?,
        settings: Settings
    ) throws {
        if let bytes = try settings.value(Settings.maximumArtifactSize, text: maximumSize) {
            tracking.maximumArtifactSize = bytes
        }
        if let credential = try settings.value(Settings.artifactsDeleteCredential, text: deleteCredential) {
            tracking.artifactDeleteCredential = credential
        }
    }

    /// What the servers accept beyond their own address: ``Settings/allowedHosts`` added to
    /// loopback and private addresses, ``Settings/trustedOrigins``.
    /// - Throws: ``SettingsError`` (neither setting has invalid values today).
    public static func serverPolicy(allowedHosts: String?, trustedOrigins: String?, settings: Settings) throws -> ServerPolicy {
        var policy = ServerPolicy()
        let hosts = try settings.value(Settings.allowedHosts, flag: allowedHosts)
        policy.allowedHosts = HostPatterns(policy.allowedHosts.patterns + HostPatterns(list: hosts).patterns)
        let origins = try settings.value(Settings.trustedOrigins, flag: trustedOrigins)
        policy.trustedOrigins = Set(origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return policy
    }
}
