import Testing

@testable import Workflow

@Suite("Task data in DAG files")
struct TaskDataParsingTests {
    /// A DAG of `produce` → `middle` → `consume` (and `side`, not upstream of `consume`), with the
    /// given YAML lines added to `produce` and `consume`.
    static func dag(produce: String = "outputs: [samples/train.json, model/]", consume: String) -> String {
        """
        dag_id: data
        tasks:
          - id: produce
            operator: bash
            command: "true"
            \(produce)
          - id: middle
            operator: bash
            upstream: [produce]
            command: "true"
          - id: side
            operator: bash
            command: "true"
            outputs: [side.txt]
          - id: consume
            operator: bash
            upstream: [middle]
            command: "true"
            \(consume)
        """
    }

    func problem(_ text: String) -> String? {
        if case .failure(let error) = DAGFileParser.parse(text, file: "data.yaml") { error.description } else { nil }
    }

    @Test("Outputs and inputs load: all of a task's outputs, or some paths, from an ancestor")
    func loads() throws {
        let all = try DAGFileParser.parse(Self.dag(consume: "inputs: [{from: produce}]"), file: "data.yaml").get()
        #expect(all.task("produce")?.outputs == ["samples/train.json", "model/"])
        #expect(all.task("consume")?.inputs == [TaskDataInput(from: "produce")])
        let some = try DAGFileParser.parse(
            Self.dag(consume: "inputs: [{from: produce, paths: [samples/train.json, model/model.json]}]"),
            file: "data.yaml"
        ).get()
        let input = try #require(some.task("consume")?.inputs.first)
        #expect(input.paths == ["samples/train.json", "model/model.json"])
        #expect(input.wants("model/model.json", outputs: ["samples/train.json", "model/"]))
        #expect(!input.wants("model/other.json", outputs: ["samples/train.json", "model/"]))
        #expect(TaskDataInput(from: "produce").wants("model/other.json", outputs: ["samples/train.json", "model/"]))
    }

    @Test(
        "Paths and inputs that cannot work are import errors that say why",
        arguments: [
            (dag(produce: "outputs: [/etc/passwd]", consume: ""), "absolute path"),
            (dag(produce: "outputs: [../up.txt]", consume: ""), "without '.' or '..'"),
            (dag(produce: "outputs: [\"a\\u0000b\"]", consume: ""), "control character U+0"),
            (dag(produce: "outputs: [\"a\\tb\"]", consume: ""), "control character U+9"),
            (dag(produce: "outputs: [\(String(repeating: "a", count: 300))]", consume: ""), "longer than 255"),
            (dag(produce: "outputs: [a.txt, a.txt]", consume: ""), "declares the output 'a.txt' twice"),
            (dag(produce: "outputs: [model/, model/x.json]", consume: ""), "overlaps 'model/'"),
            (dag(produce: "outputs: samples.json", consume: ""), "must be a list"),
            (
                dag(
                    produce: "outputs: [\(Array(repeating: "f", count: 101).enumerated().map { "f\($0.offset)" }.joined(separator: ", "))]",
                    consume: ""
                ), "at most 100"
            ),
            (dag(consume: "inputs: [{from: side}]"), "'side', which is not upstream of it"),
            (dag(consume: "inputs: [{from: nothing}]"), "'nothing', which is not a task of this DAG"),
            (dag(consume: "inputs: [{from: middle}]"), "'middle', which declares no outputs"),
            (dag(consume: "inputs: [{from: produce, paths: [other.json]}]"), "reads 'other.json' from 'produce', which is not among its outputs"),
            (dag(consume: "inputs: [{from: produce, paths: [../x]}]"), "without '.' or '..'"),
            (dag(consume: "inputs: [{from: produce, paths: []}]"), "must list 1 to 100 paths"),
            (dag(consume: "inputs: [{from: produce, files: [a]}]"), "unknown key 'files' in an input"),
            (dag(consume: "inputs: [{paths: [a]}]"), "needs 'from'"),
            (dag(consume: "inputs: [{from: produce}, {from: produce}]"), "two inputs from 'produce'"),
            (dag(consume: "inputs: {from: produce}"), "must be a list"),
            (dag(consume: "inputs: [produce]"), "must be a mapping"),
        ]
    )
    func refused(text: String, says: String) {
        let message = problem(text)
        #expect(message?.contains(says) == true, "\(message ?? "it loaded")")
    }

    @Test("Two producers cannot write the same path into a consumer's workspace")
    func clashingInputs() {
        let text = """
            dag_id: clash
            tasks:
              - {id: a, operator: bash, command: "true", outputs: [data/x.json]}
              - {id: b, operator: bash, command: "true", outputs: [data/]}
              - {id: c, operator: bash, command: "true", upstream: [a, b], inputs: [{from: a}, {from: b}]}
            """
        #expect(problem(text)?.contains("would land on the same place") == true)
    }

    @Test("default_args takes neither outputs nor inputs")
    func notInDefaults() {
        let text = """
            dag_id: d
            default_args: {outputs: [a]}
            tasks:
              - {id: a, operator: bash, command: "true"}
            """
        #expect(problem(text)?.contains("unknown key 'outputs' in default_args") == true)
    }
}
