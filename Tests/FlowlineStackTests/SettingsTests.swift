import FlowlineStack
import Foundation
import Logging
import Samples
import Storage
import Testing
import OrchestratorAPI

@Suite("Settings")
struct SettingsTests {
    @Test("Flags win over the environment, which wins over defaults")
    func precedence() throws {
        let settings = Settings(environment: ["FLOWLINE_HOST": "0.0.0.0", "FLOWLINE_SAMPLES_PORT": "7000"])
        #expect(settings.string(flag: "::1", variable: "FLOWLINE_HOST", default: "127.0.0.1") == "::1")
        #expect(settings.string(flag: nil, variable: "FLOWLINE_HOST", default: "127.0.0.1") == "0.0.0.0")
        #expect(settings.string(flag: nil, variable: "FLOWLINE_OTHER", default: "d") == "d")
        #expect(try settings.port(flag: 8000, option: "--port", variable: "FLOWLINE_SAMPLES_PORT", default: 6780) == 8000)
        #expect(try settings.port(flag: nil, option: "--port", variable: "FLOWLINE_SAMPLES_PORT", default: 6780) == 7000)
    }

    @Test("Invalid values are errors that name the setting", arguments: [
        ["FLOWLINE_SAMPLES_PORT": "http"],
        ["FLOWLINE_SAMPLES_PORT": "70000"],
        ["FLOWLINE_LOG_LEVEL": "loud"],
        ["FLOWLINE_SAMPLES_MAX": "0"],
    ])
    func invalid(environment: [String: String]) {
        let error = #expect(throws: SettingsError.self) {
            _ = try StackConfiguration.resolve(.init(), settings: Settings(environment: environment))
        }
        let variable = environment.keys.first ?? ""
        #expect(error?.description.contains(variable) == true || error?.description.contains("log level") == true)
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

    @Test("Defaults: loopback, port 6780, ./flowline-data, info")
    func defaults() throws {
        let configuration = try StackConfiguration.resolve(.init(), settings: Settings(environment: [:]))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.samples.port == 6780)
        #expect(configuration.dataDirectory.path.hasSuffix("/flowline-data"))
        #expect(configuration.logLevel == .info)
    }

    @Test("A relative interpreter path is resolved where flowline starts; a bare name stays for PATH")
    func interpreterPath() throws {
        let relative = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": ".venv/bin/python"]))
        #expect(relative.orchestrator.python == FileManager.default.currentDirectoryPath + "/.venv/bin/python")
        let bare = try StackConfiguration.resolve(.init(), settings: Settings(environment: ["FLOWLINE_PYTHON": "python3.12"]))
        #expect(bare.orchestrator.python == "python3.12")
    }
}
