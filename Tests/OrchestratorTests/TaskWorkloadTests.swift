import Foundation
import JSON
import TaskExecution
import TestSupport
import Testing
import Workflow

/// The wire contract between the orchestrator and the task side.
@Suite("Task workloads")
struct TaskWorkloadTests {
    static let workload = TaskWorkload(
        dagID: "d",
        runID: "manual__1",
        taskID: "t",
        tryNumber: 2,
        operatorName: "bash",
        settings: ["command": "echo {{ params.commit }}", "xcom": "none"],
        environment: ["MODE": "{{ params.mode }}"],
        executionTimeout: .milliseconds(1500),
        owner: "ml",
        templateContext: ["params": .object(["commit": "abc", "mode": "fast"]), "dag_run": .object(["conf": .object(["commit": "abc"])])],
        secrets: ["hunter22"]
    )

    @Test("A workload and each result survive their JSON form unchanged")
    func roundTrip() throws {
        let text = Self.workload.json.jsonText
        #expect(try TaskWorkload(json: JSONParser.parse(Array(text.utf8))) == Self.workload)
        #expect(Self.workload.conf == ["commit": "abc"])
        for result in [
            TryResult.success(xcoms: ["return_value": .integer(3)]), .skipped(reason: "exit 99"), .failed(reason: "boom", retryable: false),
        ] {
            #expect(try TryResult(json: JSONParser.parse(Array(result.json.jsonText.utf8))) == result)
        }
    }

    @Test("A workload that is not complete is refused, naming what is wrong")
    func refusals() throws {
        guard case .object(var object) = Self.workload.json else { throw TestFailure("not an object") }
        for (key, bad, message) in [
            ("version", JSONValue.integer(99), "version must be 1"), ("try_number", .integer(0), "try_number"),
            ("env", .object(["A": .integer(1)]), "env.A must be text"), ("secrets", .array([.integer(1)]), "secrets"),
            ("execution_timeout", .integer(-1), "execution_timeout"), ("dag_id", .null, "dag_id must be text"),
        ] {
            let saved = object[key]
            object[key] = bad
            let problem = Self.problem(.object(object))
            #expect(problem?.contains(message) == true, "\(key): \(problem ?? "accepted")")
            object[key] = saved
        }
    }

    /// Why `json` is not a workload, or `nil` when it is one.
    static func problem(_ json: JSONValue) -> String? {
        do {
            _ = try TaskWorkload(json: json)
            return nil
        } catch {
            return error.description
        }
    }
}
