import Foundation
import OrchestratorDatabase
import TestSupport
import Testing
import Workflow

/// Claims: queued tries of a worker's queues handed out once, oldest first, each running with a
/// lease of its own; on PostgreSQL also when claims race.
@Suite("Claims")
struct ClaimTests {
    /// A run of `count` tasks on queue `default` and 2 on `gpu`, all queued (in id order).
    static func queuedRun(_ store: OrchestratorStore, count: Int) async throws -> DagRun {
        var text = "tasks:\n"
        for index in 0..<count { text += "  - {id: t\(index), operator: bash, command: 'true'}\n" }
        text += "  - {id: g1, operator: bash, queue: gpu, command: 'true'}\n  - {id: g2, operator: bash, queue: gpu, command: 'true'}\n"
        let dag = try DAGFileParser.parse(text, file: "claims.yaml").get()
        let run = try await store.createManualRun(dag, runID: "r")
        let instances = try await store.taskInstances(of: [run]).values.flatMap { $0 }
        let moves = instances.map { instance in
            let queue = instance.taskID.hasPrefix("g") ? "gpu" : "default"
            return (
                instance, [OrchestratorStore.TaskStep(.scheduled) { $0.tryNumber += 1 }, OrchestratorStore.TaskStep(.queued) { $0.queue = queue }]
            )
        }
        let moved = try await store.transition(moves)
        #expect(moved.allSatisfy { $0?.state == .queued })
        return run
    }

    @Test("A claim starts the oldest queued tries of its queues, each with its own lease; none twice", arguments: TestDatabaseKind.available)
    func claims(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store in
            _ = try await Self.queuedRun(store, count: 10)
            let first = try await store.claimTries(worker: "w1", hostname: "host-1", queues: ["default"], limit: 4)
            #expect(first.map(\.taskID) == ["t0", "t1", "t2", "t3"])
            for instance in first {
                #expect(instance.state == .running && instance.worker == "w1" && instance.hostname == "host-1" && instance.startDate != nil)
                #expect(instance.tryNumber == 1 && instance.endDate == nil)
            }
            let leases = first.compactMap(\.lease)
            #expect(Set(leases).count == 4 && leases.allSatisfy { $0.count >= 20 })
            // What the claim returned is what the store holds.
            let stored = try await store.taskInstances(named: first.map { ($0.dagID, $0.runID, $0.taskID) })
            #expect(first.allSatisfy { stored[OrchestratorStore.instanceKey(dagID: $0.dagID, runID: $0.runID, taskID: $0.taskID)] == $0 })
            let gpu = try await store.claimTries(worker: "w2", hostname: "host-2", queues: ["gpu"], limit: 10)
            #expect(gpu.map(\.taskID) == ["g1", "g2"])
            let rest = try await store.claimTries(worker: "w2", hostname: "host-2", queues: ["default", "gpu"], limit: 100)
            #expect(rest.map(\.taskID) == (4..<10).map { "t\($0)" })
            #expect(try await store.claimTries(worker: "w3", hostname: "host-3", queues: ["default", "gpu"], limit: 100).isEmpty)
            // Another claim's lease does not end a try: only the holder's does.
            var wrong = first[0]
            wrong.lease = rest[0].lease
            #expect(try await store.endTries([.init(instance: wrong, state: .success)]) == [nil])
            #expect(try await store.endTries([.init(instance: first[0], state: .success)]).first??.state == .success)
        }
    }

    @Test("Claims racing on PostgreSQL hand out every try exactly once", arguments: TestDatabaseKind.available.filter { $0 != .sqlite })
    func racing(kind: TestDatabaseKind) async throws {
        try await withOrchestratorStore(kind) { store in
            _ = try await Self.queuedRun(store, count: 300)
            let claimed = try await withThrowingTaskGroup(of: [TaskInstance].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [TaskInstance] = []
                        while true {
                            let batch = try await store.claimTries(worker: "w\(worker)", hostname: "h", queues: ["default"], limit: 7)
                            if batch.isEmpty { return mine }
                            mine += batch
                        }
                    }
                }
                return try await group.reduce(into: [TaskInstance]()) { $0 += $1 }
            }
            #expect(claimed.count == 300)
            #expect(Set(claimed.map(\.taskID)).count == 300)
            #expect(Set(claimed.compactMap(\.lease)).count == 300)
        }
    }
}
