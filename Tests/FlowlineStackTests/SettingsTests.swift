import FlowlineStack
import Foundation
import Logging
import OrchestratorAPI
import Samples
import Serving
import Storage
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

    // MARK: The stack

    @Test("Invalid values are errors that name the setting", arguments: [
        ["FLOWLINE_SAMPLES_PORT": "http"],
        ["FLOWLINE_SAMPLES_PORT": "70000"],
        ["FLOWLINE_LOG_LEVEL": "loud"],
        ["FLOWLINE_SAMPLES_MAX": "0"],
        ["FLOWLINE_PARALLELISM": "0"],
        ["FLOWLINE_DATABASE": "mysql://u@h/db"],
        ["FLOWLINE_TASK_ENV": "NOT-A-NAME"],
    ])
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

    @Test("A relative interpreter path is resolved where flowline starts; a bare name stays for PATH")
    func interpreterPath() throws {
        let relative = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": ".venv/bin/python"]))
        #expect(relative.orchestrator.python == FileManager.default.currentDirectoryPath + "/.venv/bin/python")
        let bare = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": "python3.12"]))
        #expect(bare.orchestrator.python == "python3.12")
    }
}
