import ArgumentParser
import Foundation
import JSON

/// `flowline runs list DAG`: a DAG's runs, through the REST API.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Look at DAG runs through the REST API.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a DAG's runs, newest first (`~` for every DAG).")
        @Argument(help: "The DAG's id, or ~ for all.") var dagID: String
        @Option(help: "How many runs (at most 100).") var limit = 25
        @Option(help: "Only runs in this state: queued, running, success or failed.") var state: String?
        @OptionGroup var server: ServerOptions

        func run() async throws {
            var query = ["limit": String(limit), "order_by": "-run_after"]
            if let state { query["state"] = state }
            let page = try await server.client().send("GET", "/api/v2/dags/\(APIClient.segment(dagID))/dagRuns", query: query)
            let rows =
                page["dag_runs"]?.array.map { run in
                    ["dag_id", "dag_run_id", "state", "run_type", "start_date", "end_date"].map { run[$0]?.string ?? "" }
                } ?? []
            printNow(Table.render(header: ["dag_id", "run_id", "state", "run_type", "start_date", "end_date"], rows: rows))
        }
    }
}

extension TasksCommand {
    /// `flowline tasks logs DAG RUN TASK [--try N] [--follow]`.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a task try's log through the REST API; --follow keeps printing until the try ends."
        )
        @Argument(help: "The DAG's id.") var dagID: String
        @Argument(help: "The run's id.") var runID: String
        @Argument(help: "The task's id.") var taskID: String
        @Option(name: .customLong("try"), help: "The try (default: the latest).") var tryNumber: Int?
        @Flag(help: "Keep printing new lines until the try has ended.") var follow = false
        @OptionGroup var server: ServerOptions

        func run() async throws {
            let client = try await server.client()
            let instancePath =
                "/api/v2/dags/\(APIClient.segment(dagID))/dagRuns/\(APIClient.segment(runID))/taskInstances/\(APIClient.segment(taskID))"
            var attempt = tryNumber
            if attempt == nil {
                let instance = try await client.send("GET", instancePath)
                if case .number(let number)? = instance["try_number"] { attempt = max(1, Int(number.doubleValue)) }
            }
            var token: String?
            repeat {
                let query = token.map { ["token": $0] } ?? [:]
                let (data, headers) = try await client.raw("GET", instancePath + "/logs/\(attempt ?? 1)", query: query, accept: "text/plain")
                if !data.isEmpty { FileHandle.standardOutput.write(data) }
                token = headers["airflow-continuation-token"]
                if follow, token != nil { try await Task.sleep(for: .milliseconds(500)) }
            } while follow && token != nil
        }
    }
}
