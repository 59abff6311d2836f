import Foundation
public import HTTPSupport
public import Logging
public import OrchestratorAPI
import TaskExecution
public import Samples
public import Serving
import TrackingClient
public import Storage
public import Tracking
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
        /// `--max-artifact-size` and `--artifacts-delete-credential` of the tracking server.
        public var maximumArtifactSize: String?
        public var artifactDeleteCredential: String?

        public init(dataDir: String? = nil, host: String? = nil, samplesPort: Int? = nil, trackingPort: Int? = nil, database: String? = nil, logLevel: String? = nil) {
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

        public init(
            port: Int? = nil, dagsFolder: String? = nil, parallelism: Int? = nil, python: String? = nil, noExamples: Bool = false,
            taskUser: String? = nil, taskEnvironment: [String] = []
        ) {
            self.port = port
            self.dagsFolder = dagsFolder
            self.parallelism = parallelism
            self.python = python
            self.noExamples = noExamples
            self.taskUser = taskUser
            self.taskEnvironment = taskEnvironment
        }
    }

    public init(
        dataDirectory: DataDirectory, host: String, samples: SamplesConfiguration, tracking: TrackingConfiguration,
        orchestrator: OrchestratorConfiguration, serving: ServingConfiguration, logLevel: Logger.Level
    ) {
        self.serving = serving
        self.dataDirectory = dataDirectory
        self.host = host
        self.orchestrator = orchestrator
        self.samples = samples
        self.tracking = tracking
        self.logLevel = logLevel
    }

    /// Resolves the configuration: flags, then `FLOWLINE_…` variables, then defaults.
    /// - Throws: ``SettingsError`` naming the setting that is invalid.
    public static func resolve(_ flags: Flags, settings: Settings) throws -> StackConfiguration {
        let host = settings.string(flag: flags.host, variable: "FLOWLINE_HOST", default: "127.0.0.1")
        var samples = SamplesConfiguration(host: host)
        samples.port = try settings.port(
            flag: flags.samplesPort, option: "--samples-port", variable: "FLOWLINE_SAMPLES_PORT", default: SamplesConfiguration.defaultPort
        )
        samples.maximumSamplesPerRequest = try samplesCap(settings)
        let dataDirectory = DataDirectory(path: settings.string(flag: flags.dataDir, variable: "FLOWLINE_DATA_DIR", default: DataDirectory.defaultPath))
        var tracking = try trackingConfiguration(
            backendStoreURI: settings.string(flag: flags.database, variable: "FLOWLINE_DATABASE", default: ""),
            artifactsDestination: nil,
            dataDirectory: dataDirectory
        )
        try artifactLimits(&tracking, maximumSize: flags.maximumArtifactSize, deleteCredential: flags.artifactDeleteCredential, settings: settings)
        tracking.host = host
        tracking.port = try settings.port(
            flag: flags.trackingPort, option: "--tracking-port", variable: "FLOWLINE_TRACKING_PORT", default: TrackingConfiguration.defaultPort
        )
        let database = settings.string(flag: flags.database, variable: "FLOWLINE_DATABASE", default: "")
        var orchestrator = try orchestratorConfiguration(flags.orchestrator, database: database, dataDirectory: dataDirectory, settings: settings)
        orchestrator.host = host
        var serving = ServingConfiguration(
            host: host,
            port: try settings.port(flag: flags.servingPort, option: "--serving-port", variable: "FLOWLINE_SERVING_PORT", default: ServingConfiguration.defaultPort),
            model: try ModelReference(ServingConfiguration.defaultModel)
        )
        let policy = serverPolicy(allowedHosts: flags.allowedHosts, trustedOrigins: flags.trustedOrigins, settings: settings)
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
            logLevel: try logLevel(flags.logLevel, settings: settings)
        )
    }

    /// The orchestrator's settings: flags, then `FLOWLINE_…` variables, then the data directory's
    /// defaults (`orchestrator.db`, `dags/`, `logs/`, `workspaces/`).
    /// - Throws: ``SettingsError`` or ``DatabaseURLError`` for an unusable setting.
    public static func orchestratorConfiguration(
        _ flags: OrchestratorFlags, database: String, dataDirectory: DataDirectory, settings: Settings
    ) throws -> OrchestratorConfiguration {
        let dagsFolder = settings.string(flag: flags.dagsFolder, variable: "FLOWLINE_DAGS_FOLDER", default: "")
        var configuration = OrchestratorConfiguration.inDataDirectory(
            dataDirectory.url,
            database: database.isEmpty ? nil : try DatabaseURL(database),
            dagsFolder: dagsFolder.isEmpty ? nil : DataDirectory.absolute(dagsFolder)
        )
        configuration.port = try settings.port(flag: flags.port, option: "--orchestrator-port", variable: "FLOWLINE_ORCHESTRATOR_PORT", default: OrchestratorConfiguration.defaultPort)
        configuration.parallelism = try settings.value(flag: flags.parallelism, variable: "FLOWLINE_PARALLELISM", default: 32)
        guard (1...1024).contains(configuration.parallelism) else {
            throw SettingsError("--parallelism (or FLOWLINE_PARALLELISM) must be between 1 and 1024, not \(configuration.parallelism)")
        }
        let python = settings.string(flag: flags.python, variable: "FLOWLINE_PYTHON", default: "python3")
        // Tasks run in their own workspace: a relative interpreter path is the caller's, so resolve
        // it here; a bare name is looked up on PATH.
        configuration.python = python.contains("/") ? DataDirectory.absolute(python) : python
        configuration.installExamples = !flags.noExamples && settings.string(flag: nil, variable: "FLOWLINE_NO_EXAMPLES", default: "") == ""
        configuration.adminUsername = settings.string(flag: nil, variable: "FLOWLINE_ADMIN_USER", default: "alice")
        configuration.adminPassword = settings.string(flag: nil, variable: "FLOWLINE_ADMIN_PASSWORD", default: OrchestratorConfiguration.defaultAdminPassword)
        let passThrough = flags.taskEnvironment.isEmpty
            ? settings.string(flag: nil, variable: "FLOWLINE_TASK_ENV", default: "").split(separator: ",").map(String.init)
            : flags.taskEnvironment.flatMap { $0.split(separator: ",").map(String.init) }
        let names = passThrough.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let problem = TaskEnvironment.problem(passing: names) { throw SettingsError("--task-env (or FLOWLINE_TASK_ENV): \(problem)") }
        configuration.taskEnvironment = TaskEnvironment(passThrough: Set(names))
        let taskUser = settings.string(flag: flags.taskUser, variable: "FLOWLINE_TASK_USER", default: "")
        if !taskUser.isEmpty {
            do {
                configuration.taskUser = try TaskUser.resolve(taskUser, launcher: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path)
            } catch {
                throw SettingsError(error.message)
            }
        }
        return configuration
    }

    /// The tracking server's storage: the given database URL and artifact folder, else an SQLite
    /// file and a folder in the data directory.
    /// - Throws: ``DatabaseURLError`` for an unusable URL.
    public static func trackingConfiguration(backendStoreURI: String?, artifactsDestination: String?, dataDirectory: DataDirectory) throws -> TrackingConfiguration {
        let backend: DatabaseURL = if let uri = backendStoreURI, !uri.isEmpty {
            try DatabaseURL(uri)
        } else {
            .sqlite(path: dataDirectory.url.appendingPathComponent("tracking.db").path)
        }
        let artifacts = artifactsDestination.map { DataDirectory.absolute($0) }
            ?? dataDirectory.url.appendingPathComponent("artifacts").path
        return TrackingConfiguration(backendStore: backend, artifactsDestination: artifacts)
    }

    /// The tracking server's artifact limits: `--max-artifact-size` (`FLOWLINE_MAX_ARTIFACT_SIZE`;
    /// bytes, or with a K, M or G suffix of 1024s) and `--artifacts-delete-credential USER:PASSWORD`
    /// (`FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL`).
    /// - Throws: ``SettingsError`` for a size or credential that cannot be read.
    public static func artifactLimits(_ tracking: inout TrackingConfiguration, maximumSize: String?, deleteCredential: String?, settings: Settings) throws {
        let size = settings.string(flag: maximumSize, variable: "FLOWLINE_MAX_ARTIFACT_SIZE", default: "")
        if !size.isEmpty {
            guard let bytes = byteCount(size), bytes > 0 else {
                throw SettingsError("--max-artifact-size (or FLOWLINE_MAX_ARTIFACT_SIZE) must be a size in bytes, like 500000000, 500M or 2G, not '\(size)'")
            }
            tracking.maximumArtifactSize = bytes
        }
        let credential = settings.string(flag: deleteCredential, variable: "FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL", default: "")
        if !credential.isEmpty {
            guard let parsed = BasicCredential(credential) else {
                throw SettingsError("--artifacts-delete-credential (or FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL) must be USER:PASSWORD")
            }
            tracking.artifactDeleteCredential = parsed
        }
    }

    /// `500`, `64K`, `500M`, `2G` (powers of 1024; a trailing `B` or `iB` is allowed).
    static func byteCount(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) { digits.removeLast(suffix.count) }
        let multipliers: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var multiplier: Int64 = 1
        if let last = digits.last, let factor = multipliers[last] {
            multiplier = factor
            digits.removeLast()
        }
        guard let value = Int64(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// What the servers accept beyond their own address: `--allowed-hosts` (or
    /// `FLOWLINE_ALLOWED_HOSTS`, or MLflow's `MLFLOW_SERVER_ALLOWED_HOSTS`) added to loopback and
    /// private addresses, `--trusted-origins` (or `FLOWLINE_TRUSTED_ORIGINS`).
    public static func serverPolicy(allowedHosts: String?, trustedOrigins: String?, settings: Settings) -> ServerPolicy {
        var policy = ServerPolicy()
        let hosts = settings.string(flag: allowedHosts, variable: "FLOWLINE_ALLOWED_HOSTS", default: settings.environment["MLFLOW_SERVER_ALLOWED_HOSTS"] ?? "")
        policy.allowedHosts = HostPatterns(policy.allowedHosts.patterns + HostPatterns(list: hosts).patterns)
        let origins = settings.string(flag: trustedOrigins, variable: "FLOWLINE_TRUSTED_ORIGINS", default: "")
        policy.trustedOrigins = Set(origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return policy
    }

    /// The cap on `n_samples`, from `FLOWLINE_SAMPLES_MAX` or a flag.
    /// - Throws: ``SettingsError`` when it is not a positive integer.
    public static func samplesCap(_ settings: Settings, flag: Int? = nil) throws -> Int {
        let cap = try settings.value(flag: flag, variable: "FLOWLINE_SAMPLES_MAX", default: SamplesConfiguration.defaultMaximumSamplesPerRequest)
        guard cap >= 1 else { throw SettingsError("--max-samples (or FLOWLINE_SAMPLES_MAX) must be at least 1, not \(cap)") }
        return cap
    }

    /// The log level, from a flag or `FLOWLINE_LOG_LEVEL`: trace, debug, info, notice, warning, error or critical.
    /// - Throws: ``SettingsError`` for any other name.
    public static func logLevel(_ flag: String?, settings: Settings) throws -> Logger.Level {
        let name = settings.string(flag: flag, variable: "FLOWLINE_LOG_LEVEL", default: "info").lowercased()
        guard let level = Logger.Level(rawValue: name) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw SettingsError("log level '\(name)' is not one of \(names)")
        }
        return level
    }
}
