public import Logging
public import Samples
public import Storage

/// Everything `flowline up` needs, resolved from flags, the environment and defaults.
public struct StackConfiguration: Sendable {
    /// Where all state lives.
    public var dataDirectory: DataDirectory
    /// Address every service listens on.
    public var host: String
    /// The samples service; its host is ``host``.
    public var samples: SamplesConfiguration
    public var logLevel: Logger.Level

    /// The flags of `flowline up`, `nil` where not given.
    public struct Flags: Sendable {
        public var dataDir: String?
        public var host: String?
        public var samplesPort: Int?
        public var logLevel: String?

        public init(dataDir: String? = nil, host: String? = nil, samplesPort: Int? = nil, logLevel: String? = nil) {
            self.dataDir = dataDir
            self.host = host
            self.samplesPort = samplesPort
            self.logLevel = logLevel
        }
    }

    public init(dataDirectory: DataDirectory, host: String, samples: SamplesConfiguration, logLevel: Logger.Level) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.samples = samples
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
        return StackConfiguration(
            dataDirectory: DataDirectory(path: settings.string(flag: flags.dataDir, variable: "FLOWLINE_DATA_DIR", default: DataDirectory.defaultPath)),
            host: host,
            samples: samples,
            logLevel: try logLevel(flags.logLevel, settings: settings)
        )
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
