/// Reads settings: a ``Setting``'s flag, else its environment variables in turn, else its default.
///
/// This is the one place where Flowline's configuration precedence lives: flags win over the
/// environment, which wins over defaults. An empty variable is unset. A value that cannot be
/// parsed is an error that names where it came from (the flag or the variable), never silently
/// replaced by the default. Every setting is defined once, as a static member of `Settings`
/// (``all`` lists them), with its default and its help text.
public struct Settings: Sendable {
    /// The environment to read the variables from.
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The flag's value if given (ArgumentParser has read its text), else the setting's variables',
    /// else its default.
    /// - Throws: ``SettingsError`` naming the flag or variable whose value is not valid.
    public func value<Value>(_ setting: Setting<Value>, flag: Value? = nil) throws(SettingsError) -> Value {
        if let flag {
            guard setting.accepts(flag) else { throw setting.invalid(source: setting.option ?? setting.description, text: "\(flag)") }
            return flag
        }
        return try fromEnvironment(setting)
    }

    /// The flag's text read like a variable's if given (sizes, credentials, log levels, lists),
    /// else the setting's variables', else its default.
    /// - Throws: ``SettingsError`` naming the flag or variable whose value is not valid.
    public func value<Value>(_ setting: Setting<Value>, text flag: String?) throws(SettingsError) -> Value {
        if let flag { return try setting.value(from: flag, source: setting.option ?? setting.description) }
        return try fromEnvironment(setting)
    }

    /// The first of the setting's variables that is set and not empty, else its default.
    private func fromEnvironment<Value>(_ setting: Setting<Value>) throws(SettingsError) -> Value {
        for variable in setting.variables {
            if let text = environment[variable], !text.isEmpty { return try setting.value(from: text, source: variable) }
        }
        return setting.defaultValue
    }
}

extension Settings {
    /// Every setting, for `--help` and the tests that check each one.
    public static let all: [any AnySetting] = [
        // Services (Settings+Services.swift)
        dataDirectory, host, database, logLevel, allowedHosts, trustedOrigins,
        samplesPort, samplesMaximum, trackingPort, maximumArtifactSize, artifactsDeleteCredential, servingPort,
        // The orchestrator (Settings+Orchestrator.swift)
        orchestratorPort, dagsFolder, parallelism, python, noExamples, taskUser, taskEnvironment, runStorage, maximumTaskOutputSize,
        schedulerLease, adminUser, adminPassword, noLocalExecutor, workerTimeout,
        // Artifacts and object storage (Settings+ObjectStorage.swift)
        artifactsDestination, noServeArtifacts, defaultArtifactRoot, awsAccessKeyID, awsSecretAccessKey, awsSessionToken, awsRegion,
        s3EndpointURL, s3IgnoreTLS,
        // Logins of the tracking server (Settings+Logins.swift)
        trackingLogins, usersDatabase,
        // Clients (Settings+Clients.swift)
        server, user, password, samplesURL, trackingURI,
    ]
}

/// A setting has a value Flowline cannot use; the message says which and why.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
