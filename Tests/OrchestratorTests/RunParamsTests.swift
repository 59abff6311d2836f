import Foundation
import JSON
import OrchestratorDatabase
import Scheduling
import TaskExecution
import TestSupport
import Testing
import Workflow

/// A run's params: its conf over the DAG's defaults, fixed when the run is created.
@Suite("Run params")
struct RunParamsTests {
    static func dag(who: String) -> String {
        """
        params: {who: {type: string, default: \(who)}, n: {type: integer, default: 3}}
        tasks:
          - {id: show, operator: bash, env: {WHO: "{{ params.who }}"}, command: echo "$WHO $FLOWLINE_PARAMS"}
        """
    }

    @Test(
        "A run keeps the params it was created with, defaults applied; tasks see them even after the DAG's defaults change",
        arguments: TestDatabaseKind.available
    )
    func effectiveParams(kind: TestDatabaseKind) async throws {
        try await Harness.with(kind, files: ["params.yaml": Self.dag(who: "world")]) { harness in
            let run = try await harness.finished(try await harness.trigger("params", conf: ["n": .integer(5)]))
            #expect(run.conf == ["n": .integer(5)])
            #expect(run.params == ["who": "world", "n": .integer(5)])
            let shown: JSONValue = .string(#"world {"n":5,"who":"world"}"#)
            #expect(try await harness.store.xcoms(dagID: "params", runID: run.runID)["show"]?["return_value"] == shown)

            // The DAG's default changes; the run, cleared and run again, keeps what it was created with.
            try Data(Self.dag(who: "mars").utf8).write(to: harness.folders.dags.appendingPathComponent("params.yaml"))
            _ = await harness.scheduler.reloadIfChanged(force: true)
            _ = try await harness.scheduler.clear(dagID: "params", runID: run.runID, taskIDs: ["show"], includeDownstream: false)
            let again = try await harness.finished(try await harness.store.run(dagID: "params", runID: run.runID))
            #expect(try await harness.instance(again, "show").tryNumber == 2)
            #expect(try await harness.store.xcoms(dagID: "params", runID: run.runID)["show"]?["return_value"] == shown)
            // A new run takes the new default.
            let next = try await harness.finished(try await harness.trigger("params"))
            #expect(next.params == ["who": "mars", "n": .integer(3)])
        }
    }
}
