import Foundation
import JSON
import Testing

@testable import Workflow

@Suite("Templates")
struct TemplateTests {
    let renderer = TemplateRenderer(context: [
        "ds": .string("2026-01-01"),
        "params": .object(["who": .string("Ada"), "n": .integer(3)]),
        "dag_run": .object(["conf": .object(["commit": .string("abc123")])]),
        "xcom": .object(["fetch": .object(["path": .string("/tmp/x")])]),
        "var": .object([:]),
    ])

    @Test("Strings render; a lone expression keeps its JSON type")
    func render() throws {
        let rendered = try renderer.render([
            "command": .string("echo {{ params.who }} {{ ds }} {{ dag_run.conf.commit }} {{ xcom.fetch.path }}"),
            "json": .object(["n_samples": .string("{{ params.n }}"), "label": .string("n={{ params.n }}")]),
            "plain": .integer(7),
        ])
        #expect(rendered["command"] == .string("echo Ada 2026-01-01 abc123 /tmp/x"))
        #expect(rendered["json"] == .object(["n_samples": .integer(3), "label": .string("n=3")]))
        #expect(rendered["plain"] == .integer(7))
        #expect(try renderer.render(.string("{{ params.who|upper }}"), at: "x") == .string("ADA"))
    }

    @Test("Undefined variables are errors with the setting and line")
    func undefined() throws {
        do {
            _ = try renderer.render(["command": .string("echo hi\necho {{ params.whom }}")])
            Issue.record("rendered")
        } catch {
            #expect(error.setting == "command")
            #expect(error.line == 2)
            #expect(error.message.contains("'params.whom' is undefined"))
            #expect(error.message.contains("known: n, who"))
        }
        #expect(throws: TemplateError.self) { try renderer.render(["x": .string("{{ var.missing }}")]) }
    }

    @Test("Syntax errors are template errors")
    func syntax() {
        #expect(throws: TemplateError.self) { try renderer.render(["x": .string("{% if %}")]) }
    }
}
