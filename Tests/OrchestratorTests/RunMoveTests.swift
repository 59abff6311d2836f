import Foundation
import OrchestratorDatabase
import TestSupport
import Testing
import Workflow

/// The scheduler's moves of a run are conditional: a mark by hand, a clear or another server's
/// move made since the run was read wins.
@Suite("Conditional run moves")
struct RunMoveTests {
    @Test("A move from a state the run has left changes nothing; a move from its state does", arguments: TestDatabaseKind.available)
    func conditional(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store in
            let dag = try DAGFileParser.parse("tasks:\n  - {id: a, operator: bash, command: 'true'}\n", file: "moves.yaml").get()
            let queued = try await store.createManualRun(dag, runID: "r")
            #expect(try await store.startRun(queued))
            // Read as queued, started since: a second start, or another move from queued, does nothing.
            #expect(try await store.startRun(queued) == false)
            #expect(try await store.moveRun(queued, to: .failed) == nil)
            let running = try await store.run(dagID: "moves", runID: "r")
            #expect(running.state == .running)
            // Marked failed by hand after the scheduler read it running: its close as success is refused.
            try await store.setRunState(running, to: .failed)
            #expect(try await store.moveRun(running, to: .success) == nil)
            #expect(try await store.run(dagID: "moves", runID: "r").state == .failed)
            // From the state it is in, the move happens and sets the dates.
            let failed = try await store.run(dagID: "moves", runID: "r")
            let rerun = try await store.moveRun(failed, to: .running)
            #expect(rerun?.state == .running && rerun?.endDate == nil)
            #expect(try await store.run(dagID: "moves", runID: "r").state == .running)
        }
    }
}
