import ArgumentParser
import FlowlineStack
import Foundation
import JSON
import OrchestratorAPI
import Storage

/// The orchestrator's options, shared by `flowline server`, `flowline up` and the DAG commands.
struct OrchestratorOptions: ParsableArguments {
    @Option(help: "The DAGs folder (env: FLOWLINE_DAGS_FOLDER; default: dags/ in the data directory).")
    var dagsFolder: String?

    @Option(help: "How many task processes run at once (env: FLOWLINE_PARALLELISM; default: 32).")
    var parallelism: Int?

    @Option(help: "The interpreter of python tasks (env: FLOWLINE_PYTHON; default: python3).")
    var python: String?

    @Flag(help: "Do not install the example DAGs in the DAGs folder (env: FLOWLINE_NO_EXAMPLES=1).")
    var noExamples = false

    @Option(help: "Run task processes as this OS user, who cannot read the server's files; needs flowline to run as root (env: FLOWLINE_TASK_USER; default: the server's own user).")
    var taskUser: String?

    @Option(help: "Also give tasks these variables of the server's environment, comma-separated; repeatable (env: FLOWLINE_TASK_ENV). Tasks always get PATH, HOME, locale, TZ, TMPDIR, proxies and CA settings, never anything else.")
    var taskEnv: [String] = []

    var flags: StackConfiguration.OrchestratorFlags {
        .init(dagsFolder: dagsFolder, parallelism: parallelism, python: python, noExamples: noExamples, taskUser: taskUser, taskEnvironment: taskEnv)
    }
}

/// The data directory and database options of commands that read the orchestrator's state.
struct StateOptions: ParsableArguments {
    @Option(help: "The data directory (env: FLOWLINE_DATA_DIR; default: ./flowline-data).")
    var dataDir: String?

    @Option(help: "Database URL, sqlite:///path or postgresql://user:password@host:port/db (env: FLOWLINE_DATABASE; default: orchestrator.db in the data directory).")
    var database: String?

    var dataDirectory: DataDirectory {
        DataDirectory(path: Settings.process.string(flag: dataDir, variable: "FLOWLINE_DATA_DIR", default: DataDirectory.defaultPath))
    }

    /// The orchestrator's configuration for these options and `orchestrator`'s.
    func configuration(_ flags: StackConfiguration.OrchestratorFlags = .init()) throws -> OrchestratorConfiguration {
        let settings = Settings.process
        return try StackConfiguration.orchestratorConfiguration(
            flags, database: settings.string(flag: database, variable: "FLOWLINE_DATABASE", default: ""),
            dataDirectory: dataDirectory, settings: settings
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
