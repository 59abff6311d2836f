import ArgumentParser
import Foundation
import OrchestratorDatabase

/// `flowline users …`: the orchestrator's users, managed on its database directly (like
/// `airflow users`), for whoever runs the server.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Create, list and delete orchestrator users; set passwords. Roles: admin, op, viewer.",
        subcommands: [List.self, Create.self, Delete.self, SetPassword.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their roles.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await withStore(state) { store in
                let rows = try await store.users().map { [$0.username, $0.role.rawValue] }
                printNow(Table.render(header: ["username", "role"], rows: rows))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user.",
            discussion: "Without --password, the password is read from standard input (one line)."
        )
        @Argument(help: "The username.") var username: String
        @Option(help: "admin, op or viewer.") var role: String = "viewer"
        @Option(help: "The password (avoid: it shows in the process list; default: read from standard input).") var password: String?
        @OptionGroup var state: StateOptions

        func run() async throws {
            guard let role = Role(name: role) else { throw ValidationError("--role must be admin, op or viewer, not '\(self.role)'") }
            let password = try password ?? readPassword()
            let username = username
            try await withStore(state) { store in
                _ = try await store.createUser(username, password: password, role: role)
                printNow("User \(username) created with role \(role.rawValue).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user (not the last admin).")
        @Argument(help: "The username.") var username: String
        @OptionGroup var state: StateOptions

        func run() async throws {
            let username = username
            try await withStore(state) { store in
                try await store.deleteUser(username)
                printNow("User \(username) deleted.")
            }
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a user's password (read from standard input unless --password)."
        )
        @Argument(help: "The username.") var username: String
        @Option(help: "The new password (default: read from standard input).") var password: String?
        @OptionGroup var state: StateOptions

        func run() async throws {
            let password = try password ?? readPassword()
            let username = username
            try await withStore(state) { store in
                try await store.setPassword(username, password: password)
                printNow("Password of \(username) changed.")
            }
        }
    }
}

/// One line from standard input, without its newline.
private func readPassword() throws -> String {
    FileHandle.standardError.write(Data("Password: ".utf8))
    guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no password given on standard input") }
    return line
}
