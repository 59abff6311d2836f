import Foundation
import JSON
import OrchestratorDatabase
import RunStorage
import Scheduling
import TaskExecution
import TestSupport
import Testing
import Workflow

/// Task data: outputs stored in run storage when a try succeeds, inputs fetched from there.
@Suite("Task data")
struct TaskDataTests {
    @Test(
        "A downstream task reads its declared inputs from run storage, not from what the workspace still holds",
        arguments: TestDatabaseKind.available
    )
    func fromRunStorage(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - id: produce
                operator: bash
                command: mkdir -p data/model && echo hello > data/out.txt && echo m > data/model/a.json && echo n > data/model/b.json
                outputs: [data/out.txt, data/model/]
              - {id: wipe, operator: bash, upstream: [produce], command: rm -rf data}
              - id: consume
                operator: bash
                upstream: [wipe]
                inputs: [{from: produce}]
                command: cat data/out.txt data/model/a.json data/model/b.json && rm -rf data && echo done
              - id: some
                operator: bash
                upstream: [consume]
                inputs: [{from: produce, paths: [data/model/b.json]}]
                command: test ! -e data/out.txt && test ! -e data/model/a.json && cat data/model/b.json
            """
        try await Harness.with(kind, files: ["data.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("data"))
            let states = try await harness.states(run)
            #expect(run.state == .success, "\(states)")
            let log = try harness.log(run, "consume")
            #expect(log.contains("Fetched input data/out.txt from task 'produce' (6 bytes)"))
            #expect(log.contains("INFO stdout: hello"))
            #expect(try harness.log(run, "produce").contains("Stored output data/model/a.json (2 bytes)"))
            let xcoms = try await harness.store.xcoms(dagID: "data", runID: run.runID)
            #expect(xcoms["some"]?["return_value"] == .string("n"))
            let storage = FolderRunStorage(folder: harness.folders.runStorage)
            let key = TaskDataKey(dagID: "data", runID: run.runID, taskID: "produce")
            #expect(try await storage.list(key).map(\.path) == ["data/model/a.json", "data/model/b.json", "data/out.txt"])
            // Deleting the run deletes its data.
            try await harness.scheduler.deleteRun(dagID: "data", runID: run.runID)
            #expect(try await storage.list(key).isEmpty)
        }
    }

    @Test("A declared output the task did not write, or wrote as a link, fails the try naming it", arguments: TestDatabaseKind.available)
    func missingOutput(kind: TestDatabaseKind) async throws {
        let dag = """
            tasks:
              - {id: forgets, operator: bash, command: "echo partial > one.txt", outputs: [one.txt, results/two.txt]}
              - {id: links, operator: bash, command: "ln -sf /etc/hostname link.txt", outputs: [link.txt]}
              - {id: after, operator: bash, upstream: [forgets], inputs: [{from: forgets}], command: "true"}
            """
        try await Harness.with(kind, files: ["missing.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("missing"))
            #expect(run.state == .failed)
            let forgets = try await harness.instance(run, "forgets")
            #expect(forgets.state == .failed)
            #expect(forgets.message?.contains("the declared output 'results/two.txt' is not in the workspace") == true, "\(forgets.message ?? "")")
            let links = try await harness.instance(run, "links")
            #expect(links.message?.contains("symbolic link") == true, "\(links.message ?? "")")
            #expect(try await harness.instance(run, "after").state == .upstreamFailed)
            // A failed try stores nothing.
            let storage = FolderRunStorage(folder: harness.folders.runStorage)
            #expect(try await storage.list(TaskDataKey(dagID: "missing", runID: run.runID, taskID: "forgets")).isEmpty)
        }
    }

    @Test("Outputs stored by one executor arrive in another's empty workspace (as on two machines)")
    func twoMachines() async throws {
        let directory = try TemporaryDirectory("flowline-task-data")
        defer { directory.remove() }
        let storage = FolderRunStorage(folder: directory.url.appendingPathComponent("run-storage"))
        func executor(_ name: String) -> TryExecutor {
            let root = directory.url.appendingPathComponent(name)
            return TryExecutor(
                folders: OrchestratorFolders(
                    dags: root.appendingPathComponent("dags"),
                    logs: root.appendingPathComponent("logs"),
                    workspaces: root.appendingPathComponent("workspaces")
                ),
                python: "python3",
                repositories: GitRepositoryCache(folder: root.appendingPathComponent("git")),
                baseEnvironment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                taskUser: nil,
                data: LocalTaskData(storage: storage, maximumOutputSize: 1 << 20)
            )
        }
        func workload(_ taskID: String, _ command: String, outputs: [String] = [], inputs: [TaskInputFile] = []) -> TaskWorkload {
            TaskWorkload(
                dagID: "d",
                runID: "r",
                taskID: taskID,
                tryNumber: 1,
                operatorName: "bash",
                settings: ["command": .string(command), "xcom": "none"],
                environment: [:],
                executionTimeout: .seconds(30),
                owner: "o",
                templateContext: [:],
                secrets: [],
                outputs: outputs,
                inputs: inputs
            )
        }
        func run(_ executor: TryExecutor, _ workload: TaskWorkload) async throws -> TryResult? {
            let log = try TaskLog(url: directory.url.appendingPathComponent("\(workload.taskID).log"))
            return await executor.run(workload, log: log, stop: StopSignal()) { _ in }
        }
        let first = try await run(executor("one"), workload("make", "mkdir -p out && printf abc > out/x.txt", outputs: ["out/"]))
        #expect(first == .success(xcoms: [:]))
        let inputs = [TaskInputFile(from: "make", path: "out/x.txt", size: 3)]
        #expect(try await run(executor("two"), workload("read", "test \"$(cat out/x.txt)\" = abc", inputs: inputs)) == .success(xcoms: [:]))
        // An input missing from storage fails the try, retryably, naming it.
        let missing = [TaskInputFile(from: "make", path: "out/gone.txt", size: 3)]
        guard case .failed(let reason, let retryable)? = try await run(executor("three"), workload("gone", "true", inputs: missing)) else {
            throw TestFailure("a missing input did not fail the try")
        }
        #expect(reason.contains("cannot fetch the input 'out/gone.txt' from task 'make'"))
        #expect(retryable)
        // An output beyond the limit fails the try and stores nothing of it.
        let big = try await run(executor("four"), workload("big", "head -c 2000000 /dev/zero > big.bin", outputs: ["big.bin"]))
        guard case .failed(let bigReason, _)? = big else { throw TestFailure("an output beyond the limit was stored") }
        #expect(bigReason.contains("cannot store the output 'big.bin'"))
        #expect(try await storage.list(TaskDataKey(dagID: "d", runID: "r", taskID: "big")).isEmpty)
    }

    @Test("Outputs and inputs travel in the workload's JSON; bad paths are refused")
    func workloadJSON() throws {
        var workload = TaskWorkloadTests.workload
        workload.outputs = ["a.json", "model/"]
        workload.inputs = [TaskInputFile(from: "up", path: "samples/train.json", size: 42)]
        let text = workload.json.jsonText
        #expect(text.contains(#""outputs":["a.json","model/"]"#))
        #expect(try TaskWorkload(json: JSONParser.parse(Array(text.utf8))) == workload)
        guard case .object(var object) = workload.json else { throw TestFailure("not an object") }
        object["inputs"] = .array([.object(["from": "up", "path": "../etc/passwd", "size": .integer(1)])])
        #expect(throws: TaskWorkloadError.self) { try TaskWorkload(json: .object(object)) }
        object["inputs"] = nil
        object["outputs"] = .array(["/abs"])
        #expect(throws: TaskWorkloadError.self) { try TaskWorkload(json: .object(object)) }
    }
}
