import ArgumentParser
import FlowlineStack
import Foundation
import Logging
import OrchestratorAPI
import OrchestratorDatabase
import Storage

/// `flowline variables …`: the key-value store templates read as `var.<name>`.
struct VariablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variables",
        abstract: "Get, set, list and delete Variables (read in templates as {{ var.name }}).",
        subcommands: [List.self, Get.self, Set.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the variables.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await withStore(state) { store in
                let variables = try await store.variables()
                if variables.isEmpty { printNow("No variables.") }
                for variable in variables { printNow("\(variable.key)\t\(variable.value)") }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a variable's value.")
        @Argument(help: "The variable's key.") var key: String
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await withStore(state) { store in printNow(try await store.variable(key).value) }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a variable.")
        @Argument(help: "The variable's key.") var key: String
        @Argument(help: "Its value.") var value: String
        @Option(help: "What the variable is for.") var description: String?
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await withStore(state) { store in
                try await store.setVariable(key, value: value, description: description)
                printNow("Variable \(key) set.")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a variable.")
        @Argument(help: "The variable's key.") var key: String
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await withStore(state) { store in
                try await store.deleteVariable(key)
                printNow("Variable \(key) deleted.")
            }
        }
    }
}

/// Opens the orchestrator's database (migrating it if needed), runs `body` with its store, closes it.
/// Errors become one line on standard error and exit code 1.
func withStore(_ state: StateOptions, _ body: @escaping @Sendable (OrchestratorStore) async throws -> Void) async throws {
    var logger = Logger(label: "flowline")
    logger.logLevel = .error
    let configuration = try state.configuration()
    try state.dataDirectory.prepare()
    let database = try await Database.open(configuration.database, migrations: OrchestratorMigrations.all, logger: logger)
    let store = OrchestratorStore(database: database)
    try await whileOpen(database) { try await body(store) }
}

/// Runs `body` while `database` runs, then closes it. An error of `body` becomes one line on
/// standard error and exit code 1.
func whileOpen(_ database: Database, _ body: @escaping @Sendable () async throws -> Void) async throws {
    let failure: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
        group.addTask {
            try? await database.run()
            return nil
        }
        var failure: (any Error)?
        do {
            try await body()
        } catch {
            failure = error
        }
        group.cancelAll()
        return failure
    }
    if let failure {
        FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
        throw ExitCode.failure
    }
}
