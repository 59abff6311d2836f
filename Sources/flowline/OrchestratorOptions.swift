import ArgumentParser
import FlowlineStack
import Foundation
import JSON
import OrchestratorAPI
import Storage

/// The orchestrator's options, shared by `flowline server`, `flowline up` and the DAG commands.
struct OrchestratorOptions: ParsableArguments {
    @Option(Settings.dagsFolder) var dagsFolder: String?
    @Option(Settings.parallelism) var parallelism: Int?
    @Option(Settings.python) var python: String?
    @Flag(Settings.noExamples) var noExamples = false
    @Option(Settings.taskUser) var taskUser: String?
    @Option(text: Settings.taskEnvironment) var taskEnv: [String] = []
    @Option(Settings.runStorage) var runStorage: String?
    @Option(text: Settings.maximumTaskOutputSize) var maxTaskOutputSize: String?
    @Flag(Settings.noLocalExecutor) var noLocalExecutor = false
    @Option(text: Settings.workerTimeout) var workerTimeout: String?
    @Option(text: Settings.schedulerLease) var schedulerLease: String?

    var flags: StackConfiguration.OrchestratorFlags {
        var flags = StackConfiguration.OrchestratorFlags(
            dagsFolder: dagsFolder,
            parallelism: parallelism,
            python: python,
            noExamples: noExamples,
            taskUser: taskUser,
            taskEnvironment: taskEnv,
            runStorage: runStorage,
            maximumTaskOutputSize: maxTaskOutputSize
        )
        flags.noLocalExecutor = noLocalExecutor
        flags.workerTimeout = workerTimeout
        flags.schedulerLease = schedulerLease
        return flags
    }
}

/// The data directory and database options of commands that read the orchestrator's state.
struct StateOptions: ParsableArguments {
    @Option(Settings.dataDirectory) var dataDir: String?
    @Option(text: Settings.database) var database: String?

    /// The data directory these options and the environment give.
    var dataDirectory: DataDirectory {
        get throws { DataDirectory(path: try Settings.process.value(Settings.dataDirectory, flag: dataDir)) }
    }

    /// The orchestrator's configuration for these options and `orchestrator`'s.
    func configuration(_ flags: StackConfiguration.OrchestratorFlags = .init()) throws -> OrchestratorConfiguration {
        let settings = Settings.process
        return try StackConfiguration.orchestratorConfiguration(
            flags,
            database: try settings.value(Settings.database, text: database),
            dataDirectory: try dataDirectory,
            settings: settings
        )
    }
}

/// Parses a `--conf` value: a JSON object.
func parseConf(_ text: String?) throws -> [String: JSONValue] {
    guard let text, !text.isEmpty else { return [:] }
    let value: JSONValue
    do {
        value = try JSONParser.parse(Array(text.utf8))
    } catch {
        throw ValidationError("--conf is not valid JSON: \(error)")
    }
    guard case .object(let members) = value else { throw ValidationError("--conf must be a JSON object, like '{\"n\": 3}'") }
    return members
}
