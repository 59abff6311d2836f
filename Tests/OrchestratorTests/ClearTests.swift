import Foundation
import OrchestratorDatabase
import Scheduling
import TestSupport
import Testing
import Workflow

/// Clearing tasks: the dry run answers exactly what the real clear does.
@Suite("Clearing tasks")
struct ClearTests {
    static let dag = """
        tasks:
          - {id: first, operator: bash, command: "true"}
          - {id: broken, operator: bash, upstream: [first], command: "exit 3"}
          - {id: after, operator: bash, upstream: [broken], command: "true"}
          - {id: slow, operator: bash, command: "sleep 30"}
        """

    @Test("The dry run of a clear lists exactly what the clear then clears, or is refused as it is", arguments: [false, true])
    func dryRunMatchesClear(onlyFailed: Bool) async throws {
        try await Harness.with(.sqlite, files: ["clearing.yaml": Self.dag]) { harness in
            let run = try await harness.trigger("clearing")
            try await eventually {
                let states = (try? await harness.states(run)) ?? [:]
                return states["slow"] == "running" && states["after"] == "upstream_failed"
            }
            let scheduler = harness.scheduler
            // A running task among those selected: both refuse, and nothing moves.
            for dryRun in [true, false] {
                await #expect(throws: OrchestratorError.self) {
                    _ = try await scheduler.clear(
                        dagID: "clearing",
                        runID: run.runID,
                        taskIDs: [],
                        includeDownstream: false,
                        onlyFailed: false,
                        dryRun: dryRun
                    )
                }
            }
            #expect(try await harness.instance(run, "slow").state == .running)
            // Without it: the dry run's list is the clear's, in the same order.
            let selection = ["first", "broken"]
            let planned = try await scheduler.clear(
                dagID: "clearing",
                runID: run.runID,
                taskIDs: selection,
                includeDownstream: true,
                onlyFailed: onlyFailed,
                dryRun: true
            )
            #expect(try await harness.instance(run, "broken").state == .failed, "a dry run changes nothing")
            let cleared = try await scheduler.clear(
                dagID: "clearing",
                runID: run.runID,
                taskIDs: selection,
                includeDownstream: true,
                onlyFailed: onlyFailed
            )
            #expect(planned.map(\.taskID) == cleared.map(\.taskID))
            #expect(Set(cleared.map(\.taskID)) == (onlyFailed ? ["broken", "after"] : ["first", "broken", "after"]))
            _ = try await scheduler.setRunState(dagID: "clearing", runID: run.runID, to: .failed)
        }
    }
}
