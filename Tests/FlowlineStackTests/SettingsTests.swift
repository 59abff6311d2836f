import FlowlineStack
import Foundation
import Logging
import OrchestratorAPI
import Samples
import Serving
import Storage
import TaskExecution
import Testing
import Tracking

@Suite("Settings")
struct SettingsTests {
    @Test("Flags win over the environment, which wins over defaults")
    func precedence() throws {
        let settings = Settings(environment: ["FLOWLINE_HOST": "0.0.0.0", "FLOWLINE_SAMPLES_PORT": "7000"])
        #expect(try settings.value(Settings.host, flag: "::1") == "::1")
        #expect(try settings.value(Settings.host) == "0.0.0.0")
        #expect(try Settings(environment: [:]).value(Settings.host) == "127.0.0.1")
        #expect(try settings.value(Settings.samplesPort, flag: 8000) == 8000)
        #expect(try settings.value(Settings.samplesPort) == 7000)
        #expect(try settings.value(Settings.trackingPort) == 5000)
    }

    @Test("A setting's later variables are read when its first is unset or empty")
    func fallbackVariables() throws {
        let admin = ["FLOWLINE_ADMIN_USER": "carol", "FLOWLINE_ADMIN_PASSWORD": "s3cret"]
        #expect(try Settings(environment: admin).value(Settings.user) == "carol")
        #expect(try Settings(environment: admin).value(Settings.password) == "s3cret")
        #expect(try Settings(environment: admin.merging(["FLOWLINE_USER": ""]) { $1 }).value(Settings.user) == "carol")
        #expect(try Settings(environment: admin.merging(["FLOWLINE_USER": "dave"]) { $1 }).value(Settings.user) == "dave")
        #expect(try Settings(environment: [:]).value(Settings.user) == OrchestratorConfiguration.defaultAdminUsername)
        #expect(try Settings(environment: ["MLFLOW_SERVER_ALLOWED_HOSTS": "a.example"]).value(Settings.allowedHosts) == "a.example")
        #expect(
            try Settings(environment: ["MLFLOW_SERVER_ALLOWED_HOSTS": "a.example", "FLOWLINE_ALLOWED_HOSTS": "b.example"]).value(
                Settings.allowedHosts
            )
                == "b.example"
        )
    }

    @Test("A bad flag is an error naming the flag, under the name its command gives it")
    func badFlags() throws {
        let settings = Settings(environment: ["FLOWLINE_PARALLELISM": "4"])
        let parallelism = #expect(throws: SettingsError.self) { try settings.value(Settings.parallelism, flag: 0) }
        #expect(parallelism?.description == "--parallelism must be a whole number from 1 to 1024, not '0'")
        let port = #expect(throws: SettingsError.self) { try settings.value(Settings.samplesPort.named("--port"), flag: 70_000) }
        #expect(port?.description.hasPrefix("--port must be a port") == true)
        let size = #expect(throws: SettingsError.self) { try settings.value(Settings.maximumArtifactSize, text: "big") }
        #expect(size?.description.hasPrefix("--max-artifact-size must be a size in bytes") == true)
        #expect(try settings.value(Settings.maximumArtifactSize, text: "2G") == Int64(2) << 30)
        #expect(try settings.value(Settings.maximumArtifactSize, text: "") == nil)
    }

    // MARK: Every setting

    /// A value each setting refuses, by its first variable.
    static let badValues: [String: String] = [
        "FLOWLINE_DATABASE": "mysql://user:s3cret@host/db",
        "FLOWLINE_LOG_LEVEL": "loud",
        "FLOWLINE_SAMPLES_PORT": "http",
        "FLOWLINE_SAMPLES_MAX": "0",
        "FLOWLINE_TRACKING_PORT": "70000",
        "FLOWLINE_MAX_ARTIFACT_SIZE": "lots",
        "FLOWLINE_ARTIFACTS_DELETE_CREDENTIAL": "no-colon-s3cret",
        "FLOWLINE_SERVING_PORT": "-1",
        "FLOWLINE_ORCHESTRATOR_PORT": "8080x",
        "FLOWLINE_PARALLELISM": "1025",
        "FLOWLINE_TASK_ENV": "GOOD,NOT-A-NAME",
        "FLOWLINE_MAX_TASK_OUTPUT_SIZE": "lots",
        "FLOWLINE_SCHEDULER_LEASE": "0.5s",
        "FLOWLINE_WORKER_TIMEOUT": "forever",
        "FLOWLINE_SERVER": "ftp://127.0.0.1:8080",
        "FLOWLINE_SAMPLES_URL": "localhost:6780",
        "MLFLOW_TRACKING_URI": "not a URL",
        "FLOWLINE_DEFAULT_ARTIFACT_ROOT": "/local/folder",
        "AWS_DEFAULT_REGION": "us east 1",
        "MLFLOW_S3_ENDPOINT_URL": "ftp://store:21",
        "MLFLOW_S3_IGNORE_TLS": "maybe",
        "FLOWLINE_TRACKING_AUTH": "sometimes",
        "FLOWLINE_USERS_DATABASE": "mysql://user:s3cret@host/db",
    ]

    /// The settings whose value is any text (paths, names, host lists; the task user is checked
    /// against the machine's users, and the database URL hides its password, where they are used).
    static let anyText: Set<String> = [
        "FLOWLINE_DATA_DIR", "FLOWLINE_HOST", "FLOWLINE_ALLOWED_HOSTS", "FLOWLINE_TRUSTED_ORIGINS", "FLOWLINE_DAGS_FOLDER",
        "FLOWLINE_PYTHON", "FLOWLINE_NO_EXAMPLES", "FLOWLINE_NO_LOCAL_EXECUTOR", "FLOWLINE_TASK_USER", "FLOWLINE_RUN_STORAGE", "FLOWLINE_ADMIN_USER",
        "FLOWLINE_ADMIN_PASSWORD",
        "FLOWLINE_USER", "FLOWLINE_PASSWORD", "FLOWLINE_ARTIFACTS_DESTINATION", "FLOWLINE_NO_SERVE_ARTIFACTS", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    ]

    @Test("The catalogue defines each variable once")
    func catalogue() {
        let variables = Settings.all.map(\.description)
        #expect(Set(variables).count == variables.count)
        let options = Settings.all.compactMap(\.option)
        #expect(Set(options).count == options.count)
        #expect(Set(Self.badValues.keys).isDisjoint(with: Self.anyText))
    }

    @Test("--help names the setting's variables and its default", arguments: Settings.all)
    func help(setting: any AnySetting) {
        #expect(!setting.variables.isEmpty)
        let variables = setting.variables.joined(separator: ", else ")
        #expect(setting.help.hasSuffix(" (env: \(variables); default: \(setting.shownDefault))."), "\(setting.help)")
    }

    @Test("The default --help shows is the value used", arguments: Settings.all.filter(\.defaultIsShownAsValue))
    func shownDefault(setting: any AnySetting) throws {
        for variable in setting.variables {
            #expect(try setting.resolvesToDefault(in: Settings(environment: [variable: setting.shownDefault])))
        }
    }

    @Test("An unset or empty variable means the default", arguments: Settings.all)
    func emptyVariable(setting: any AnySetting) throws {
        #expect(try setting.resolvesToDefault(in: Settings(environment: [:])))
        let empty = Dictionary(uniqueKeysWithValues: setting.variables.map { ($0, "") })
        #expect(try setting.resolvesToDefault(in: Settings(environment: empty)))
    }

    @Test("A bad value is an error naming the variable (never showing a secret)", arguments: Settings.all)
    func badValue(setting: any AnySetting) throws {
        if Self.anyText.contains(setting.description) { return }
        let text = try #require(Self.badValues[setting.description], "give \(setting) a bad value, or list it in anyText")
        for variable in setting.variables {
            let error = #expect(throws: SettingsError.self) { try setting.resolvesToDefault(in: Settings(environment: [variable: text])) }
            #expect(error?.description.hasPrefix(variable) == true, "\(error?.description ?? "")")
            if setting.isSecret { #expect(error?.description.contains("s3cret") == false, "\(error?.description ?? "")") }
        }
    }

    // MARK: The stack

    @Test(
        "Invalid values are errors that name the setting",
        arguments: [
            ["FLOWLINE_SAMPLES_PORT": "http"],
            ["FLOWLINE_SAMPLES_PORT": "70000"],
            ["FLOWLINE_LOG_LEVEL": "loud"],
            ["FLOWLINE_SAMPLES_MAX": "0"],
            ["FLOWLINE_PARALLELISM": "0"],
            ["FLOWLINE_DATABASE": "mysql://u@h/db"],
            ["FLOWLINE_TASK_ENV": "NOT-A-NAME"],
        ]
    )
    func invalid(environment: [String: String]) {
        let error = #expect(throws: SettingsError.self) {
            _ = try StackConfiguration.resolve(.init(), settings: Settings(environment: environment))
        }
        let variable = environment.keys.first ?? ""
        #expect(error?.description.hasPrefix(variable) == true)
    }

    @Test("The stack's configuration resolves every setting")
    func stack() throws {
        let configuration = try StackConfiguration.resolve(
            .init(samplesPort: 0, logLevel: "debug"),
            settings: Settings(environment: ["FLOWLINE_DATA_DIR": "/tmp/fl", "FLOWLINE_HOST": "0.0.0.0", "FLOWLINE_SAMPLES_MAX": "10"])
        )
        #expect(configuration.dataDirectory.path == "/tmp/fl")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.samples.host == "0.0.0.0")
        #expect(configuration.samples.port == 0)
        #expect(configuration.samples.maximumSamplesPerRequest == 10)
        #expect(configuration.logLevel == .debug)
    }

    @Test("Defaults: loopback, the services' ports, ./flowline-data, info, 32 task processes, python3, alice")
    func defaults() throws {
        let configuration = try StackConfiguration.resolve(.init(), settings: Settings(environment: [:]))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.samples.port == 6780)
        #expect(configuration.tracking.port == 5000)
        #expect(configuration.orchestrator.port == 8080)
        #expect(configuration.serving.port == 5001)
        #expect(configuration.dataDirectory.path.hasSuffix("/flowline-data"))
        #expect(configuration.logLevel == .info)
        #expect(configuration.orchestrator.parallelism == 32)
        #expect(configuration.orchestrator.python == "python3")
        #expect(configuration.orchestrator.adminUsername == "alice")
        #expect(configuration.orchestrator.installExamples)
    }

    @Test("Empty variables are unset for the stack too")
    func emptyStack() throws {
        let empty = Dictionary(Settings.all.flatMap(\.variables).map { ($0, "") }) { first, _ in first }
        let configuration = try StackConfiguration.resolve(.init(), settings: Settings(environment: empty))
        #expect(configuration.orchestrator.installExamples)
        #expect(configuration.orchestrator.parallelism == OrchestratorConfiguration.defaultParallelism)
        #expect(configuration.orchestrator.adminPassword == OrchestratorConfiguration.defaultAdminPassword)
        #expect(configuration.tracking.maximumArtifactSize == nil)
    }

    @Test("Logs stay in the data directory, or move into a run storage that is set (shared by servers)")
    func logsFolder() throws {
        let plain = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_DATA_DIR": "/tmp/fl"]))
        #expect(plain.orchestrator.folders.logs.path == "/tmp/fl/logs")
        #expect(plain.orchestrator.folders.runStorage.path == "/tmp/fl/run-storage")
        let shared = try StackConfiguration.resolve(
            .init(),
            settings: Settings(environment: ["FLOWLINE_DATA_DIR": "/tmp/fl", "FLOWLINE_RUN_STORAGE": "/srv/shared"])
        )
        #expect(shared.orchestrator.folders.runStorage.path == "/srv/shared")
        #expect(shared.orchestrator.folders.logs.path == "/srv/shared/+logs")
    }

    @Test("A relative interpreter path is resolved where flowline starts; a bare name stays for PATH")
    func interpreterPath() throws {
        let relative = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": ".venv/bin/python"]))
        #expect(relative.orchestrator.python == FileManager.default.currentDirectoryPath + "/.venv/bin/python")
        let bare = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": "python3.12"]))
        #expect(bare.orchestrator.python == "python3.12")
    }
}
