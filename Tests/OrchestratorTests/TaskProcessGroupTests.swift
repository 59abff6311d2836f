import Foundation
import TaskExecution
import Testing

@Suite("Finding a lost try's processes")
struct TaskProcessGroupTests {
    @Test("The process group is read after the command name, whatever the name holds")
    func statParsing() {
        #expect(ChildProcess.processGroup(stat: "4242 (bash) S 1 4242 4242 0 -1") == 4242)
        #expect(ChildProcess.processGroup(stat: "77 (a) b (c) d) R 5 70 70 0") == 70)
        #expect(ChildProcess.processGroup(stat: "garbage") == nil)
    }

    @Test("A process that names the task in its environment is found by its group; this process's own group never")
    func findsByEnvironment() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["sleep", "30"]
        let task = "probe-\(UUID().uuidString)"
        process.environment = ["FLOWLINE_DAG_ID": "d", "FLOWLINE_RUN_ID": "r", "FLOWLINE_TASK_ID": task]
        try process.run()
        defer { process.terminate() }
        // setsid forks when it leads a group: for a moment its parent and child both name the task.
        var groups: Set<Int32> = []
        for _ in 0..<100 {
            groups = ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: task)
            if !groups.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!groups.isEmpty)
        #expect(!groups.contains(getpgrp()))
        // Killed while it forks, setsid's child may start a group of its own: kill what is found
        // until nothing of the task is left.
        for _ in 0..<100 where !groups.isEmpty {
            for group in groups { kill(-group, SIGKILL) }
            try await Task.sleep(for: .milliseconds(20))
            groups = ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: task)
            #expect(!groups.contains(getpgrp()))
        }
        #expect(ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: task).isEmpty, "the groups found were not the task's")
        #expect(ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: "someone-else").isEmpty)
    }
}
