import Foundation
import JSON
import Testing
import Workflow

@testable import WebUI

/// What the web UIs compute for their pages, without a server.
@Suite("Web UI view models")
struct ViewModelTests {
    @Test(
        "A redirect target stays on this site",
        arguments: [
            ("/dags/x?tab=grid", true), ("//evil.example", false), ("/\\evil.example", false), ("https://evil.example", false),
            ("/\t/evil.example", false), ("dags", false), ("/" + String(repeating: "a", count: 2_001), false), ("/ünï", false),
        ]
    )
    func localPath(path: String, allowed: Bool) {
        #expect((OrchestratorUI.localPath(path) != nil) == allowed)
    }

    @Test("A trigger form's field becomes its param's JSON type, or says what is wrong")
    func triggerFields() throws {
        let integer = Param(name: "n", schema: ParamSchema(["type": "integer"]))
        #expect(try OrchestratorUI.value(" 7 ", for: integer).get() == .integer(7))
        #expect(throws: UIFieldError.self) { try OrchestratorUI.value("seven", for: integer).get() }
        #expect(try OrchestratorUI.value("", for: integer).get() == nil)
        let optional = Param(name: "n", schema: ParamSchema(["type": .array(["integer", "null"])]))
        #expect(try OrchestratorUI.value("", for: optional).get() == .null)
        let flag = Param(name: "f", schema: ParamSchema(["type": "boolean"]))
        #expect(try OrchestratorUI.value("true", for: flag).get() == .bool(true))
        #expect(try OrchestratorUI.value("yes", for: flag).get() == .bool(false))
        let object = Param(name: "o", schema: ParamSchema(["type": "object"]))
        #expect(try OrchestratorUI.value(#"{"a": 1}"#, for: object).get() == .object(["a": .integer(1)]))
        #expect(throws: UIFieldError.self) { try OrchestratorUI.value("{a", for: object).get() }
        let choice = Param(name: "c", schema: ParamSchema(["enum": .array([.integer(1), "two"])]))
        #expect(try OrchestratorUI.value("1", for: choice).get() == .integer(1))
        #expect(try OrchestratorUI.value("<b>", for: Param(name: "s", schema: ParamSchema([:]))).get() == .string("<b>"))
    }

    @Test("A metric chart draws its points in step order and leaves out non-finite values")
    func metricChart() throws {
        let svg = MetricChart.svg([
            (step: 2, value: 3), (step: 0, value: 1), (step: 1, value: .nan), (step: 1, value: 2), (step: 3, value: .infinity),
        ])
        let path = try #require(svg.firstRange(of: #/d='([^']*)'/#).map { String(svg[$0]) })
        let xs = path.matches(of: #/[ML]([0-9.]+),/#).compactMap { Double($0.output.1) }
        #expect(xs.count == 3 && xs == xs.sorted(), "\(path)")
        #expect(svg.contains("steps 0–2, values 1–3"))
        #expect(MetricChart.svg([(step: 0, value: .nan)]).isEmpty)
        #expect(MetricChart.svg([(step: 5, value: 1.5)]).contains("<circle"))
    }

    @Test("The graph escapes what it shows and links only what it is given")
    func dagGraph() throws {
        #expect(DAGGraph.escape(#"<a href="x">&'"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
        let dag = try DAGFileParser.parse(
            """
            tasks:
              - {id: first, operator: empty}
              - {id: second, operator: empty, upstream: [first]}
            """,
            file: "graph.yaml"
        ).get()
        let svg = DAGGraph.svg(dag, states: ["first": "success"], link: { $0 == "first" ? "/t/first" : nil })
        #expect(svg.contains("first") && svg.contains("second"))
        #expect(svg.components(separatedBy: "<a ").count == 2, "one link, for the task given one")
    }

    @Test("Durations read as seconds, then minutes")
    func durations() {
        let start = Date(timeIntervalSince1970: 0)
        #expect(OrchestratorUI.duration(start, start.addingTimeInterval(1.5)) == "1.50 s")
        #expect(OrchestratorUI.duration(start, start.addingTimeInterval(125)) == "2 min 05 s")
        #expect(OrchestratorUI.duration(nil, start).isEmpty)
    }
}
