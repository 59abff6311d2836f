import Foundation
import JSON

/// Follows a run through the REST API, printing each task's state as it changes, until the run
/// finishes; returns its final state.
struct RunWatcher {
    let client: APIClient
    let dagID: String
    let runID: String
    var interval: Duration = .milliseconds(500)

    func watch() async throws -> String {
        let runPath = "/api/v2/dags/\(APIClient.segment(dagID))/dagRuns/\(APIClient.segment(runID))"
        var seen: [String: String] = [:]
        while true {
            let run = try await client.send("GET", runPath)
            var offset = 0
            while true {
                let page = try await client.send("GET", runPath + "/taskInstances", query: ["limit": "100", "offset": String(offset)])
                for instance in page["task_instances"]?.array ?? [] {
                    guard let task = instance["task_id"]?.string else { continue }
                    let state = instance["state"]?.string ?? "none"
                    let tryNumber = instance["try_number"].map { $0.jsonText } ?? "0"
                    if seen[task] != state + tryNumber {
                        seen[task] = state + tryNumber
                        printNow("  \(task): \(state)\(tryNumber != "0" && tryNumber != "1" ? " (try \(tryNumber))" : "")")
                    }
                }
                offset += 100
                guard case .number(let total)? = page["total_entries"], Double(offset) < total.doubleValue else { break }
            }
            let state = run["state"]?.string ?? "unknown"
            if state == "success" || state == "failed" {
                printNow("Run \(runID): \(state)")
                return state
            }
            try await Task.sleep(for: interval)
        }
    }
}
