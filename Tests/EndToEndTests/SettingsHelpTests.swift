import FlowlineStack
import Foundation
import TestSupport
import Testing

/// `--help` of the built binary shows each setting as `Settings` defines it: the flag, the
/// variables and the default that are used.
@Suite("--help shows the settings' definitions")
struct SettingsHelpTests {
    @Test("flowline up --help shows each setting's variable and default, e.g. FLOWLINE_PARALLELISM and 32")
    func up() async throws {
        let help = try await helpText(["up"])
        #expect(help.contains("--parallelism <parallelism> How many task processes run at once (env: FLOWLINE_PARALLELISM; default: 32)."))
        let settings: [any AnySetting] = [
            Settings.dataDirectory, Settings.host, Settings.samplesPort, Settings.trackingPort, Settings.database, Settings.orchestratorPort,
            Settings.servingPort, Settings.dagsFolder, Settings.parallelism, Settings.python, Settings.noExamples, Settings.taskUser,
            Settings.taskEnvironment, Settings.allowedHosts, Settings.trustedOrigins, Settings.maximumArtifactSize,
            Settings.artifactsDeleteCredential, Settings.logLevel,
        ]
        for setting in settings {
            #expect(help.contains("\(setting.option ?? "?") ") && help.contains(collapsed(setting.help)), "\(setting)")
        }
    }

    @Test("Commands that call a service's port --port show that service's setting")
    func renamedPorts() async throws {
        let cases: [(command: [String], setting: any AnySetting)] = [
            (["samples", "serve"], Settings.samplesPort), (["tracking", "serve"], Settings.trackingPort),
            (["server"], Settings.orchestratorPort), (["models", "serve"], Settings.servingPort),
        ]
        for (command, setting) in cases {
            let help = try await helpText(command)
            #expect(help.contains("--port <port> " + collapsed(setting.help)), "\(command)")
        }
    }

    @Test("The client commands show where they connect and who logs in")
    func clients() async throws {
        let trigger = try await helpText(["dags", "trigger"])
        for setting in [Settings.server, Settings.user, Settings.password] as [any AnySetting] {
            #expect(trigger.contains(collapsed(setting.help)), "\(setting)")
        }
        #expect(trigger.contains("env: FLOWLINE_USER, else FLOWLINE_ADMIN_USER; default: alice"))
        #expect(try await helpText(["samples", "fetch"]).contains(collapsed(Settings.samplesURL.help)))
        #expect(try await helpText(["models", "promote"]).contains("(env: MLFLOW_TRACKING_URI; default: http://127.0.0.1:5000)"))
    }

    /// The command's `--help`, its lines joined and its runs of spaces made one (ArgumentParser
    /// wraps the text to the terminal's width).
    private func helpText(_ command: [String]) async throws -> String {
        let result = try await FlowlineProcess.run(command + ["--help"])
        #expect(result.status == 0, "\(result.stderr)")
        return collapsed(result.stdout)
    }

    private func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
