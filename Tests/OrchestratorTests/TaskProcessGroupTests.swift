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
        var groups: Set<Int32> = []
        for _ in 0..<100 {
            groups = ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: task)
            if !groups.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(groups.count == 1)
        #expect(!groups.contains(getpgrp()))
        for group in groups { kill(-group, SIGKILL) }
        #expect(ChildProcess.taskProcessGroups(dagID: "d", runID: "r", taskID: "someone-else").isEmpty)
    }
}
