import ArgumentParser
import Foundation
import OrchestratorAPI
import OrchestratorDatabase
import Workflow

/// `flowline workers …`: the workers and their tokens, on the database directly (like `flowline
/// users`), for whoever runs the servers.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "List the workers; create and revoke worker tokens; put workers in maintenance.",
        subcommands: [List.self, Token.self, Maintenance.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workers: host, queues, state, slots, counts, last heartbeat.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let timeout = try state.configuration().workerTimeout
            try await withStore(state) { store in
                let now = Date()
                let rows = try await store.workers().map { worker in
                    [
                        worker.name, worker.kind.rawValue, worker.hostname, worker.queues.joined(separator: ","),
                        worker.state(now: now, timeout: timeout).rawValue, "\(worker.runningTries.count)/\(worker.concurrency)",
                        "\(worker.succeeded)", "\(worker.failed)", DateText.format(worker.lastHeartbeat), worker.version,
                    ]
                }
                printNow(
                    Table.render(
                        header: ["name", "kind", "host", "queues", "state", "slots", "succeeded", "failed", "last heartbeat", "version"],
                        rows: rows
                    )
                )
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke worker tokens.",
            subcommands: [Create.self, ListTokens.self, Revoke.self]
        )

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a worker token and print it (shown only this once).",
                discussion: "Give it to workers in FLOWLINE_WORKER_TOKEN or a --token-file."
            )
            @Argument(help: "The token's name.") var name: String
            @OptionGroup var state: StateOptions

            func run() async throws {
                let name = name
                try await withStore(state) { store in
                    printNow(try await store.createWorkerToken(name, createdBy: "flowline workers token create"))
                }
            }
        }

        struct ListTokens: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the worker tokens (never the tokens themselves).")
            @OptionGroup var state: StateOptions

            func run() async throws {
                try await withStore(state) { store in
                    let rows = try await store.workerTokens().map {
                        [$0.name, $0.createdBy ?? "", DateText.format($0.createdAt), $0.revokedAt.map(DateText.format) ?? ""]
                    }
                    printNow(Table.render(header: ["name", "created by", "created", "revoked"], rows: rows))
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a worker token: its workers are refused from their next call.")
            @Argument(help: "The token's name.") var name: String
            @OptionGroup var state: StateOptions

            func run() async throws {
                let name = name
                try await withStore(state) { store in
                    try await store.revokeWorkerToken(name)
                    printNow("Worker token \(name) revoked.")
                }
            }
        }
    }

    struct Maintenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a worker in maintenance (no new tries) or take it out (--off).")
        @Argument(help: "The worker's name.") var name: String
        @Flag(help: "Take the worker out of maintenance.") var off = false
        @Option(help: "Why, for the workers page.") var comment: String?
        @OptionGroup var state: StateOptions

        func run() async throws {
            let (name, on, comment) = (name, !off, comment)
            try await withStore(state) { store in
                try await store.setMaintenance(worker: name, on, comment: comment)
                printNow("Worker \(name) \(on ? "is in maintenance" : "takes tries again").")
            }
        }
    }
}
