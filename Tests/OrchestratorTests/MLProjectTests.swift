import Foundation
import Testing

@testable import TaskExecution
@testable import Workflow

@Suite("MLproject files")
struct MLProjectTests {
    static let text = """
        name: demo
        python_env: python_env.yaml
        entry_points:
          main:
            parameters:
              data: path
              alpha: {type: float, default: 0.5}
              name: {type: string, default: "a b"}
            command: "train --data {data} --alpha {alpha} --name {name} --braces {{x}}"
          other:
            command: echo other
        """

    @Test("Entry points, typed parameters, substitution with shell quoting, extra parameters appended")
    func command() throws {
        let project = try MLProject.parse(Self.text)
        #expect(project.name == "demo")
        #expect(project.entryPoints.keys.sorted() == ["main", "other"])
        let workspace = URL(fileURLWithPath: "/work/space")
        let (command, values) = try #require(project.entryPoints["main"]).command(
            with: ["data": "train.json", "extra": "it's"],
            relativeTo: workspace
        )
        #expect(command == "train --data /work/space/train.json --alpha 0.5 --name 'a b' --braces {x} --extra 'it'\"'\"'s'")
        #expect(values.map(\.0) == ["data", "alpha", "name", "extra"])
    }

    @Test("A missing or mistyped parameter, an unknown placeholder: one clear line each")
    func errors() throws {
        let project = try MLProject.parse(Self.text)
        let main = try #require(project.entryPoints["main"])
        let workspace = URL(fileURLWithPath: "/w")
        #expect(throws: TaskFailure.self) { try main.command(with: [:], relativeTo: workspace) }
        do {
            _ = try main.command(with: [:], relativeTo: workspace)
        } catch let failure as TaskFailure {
            #expect(failure.description == "parameter 'data' of entry point 'main' has no default and was not given")
        }
        do {
            _ = try main.command(with: ["data": "x", "alpha": "high"], relativeTo: workspace)
        } catch let failure as TaskFailure {
            #expect(failure.description == "parameter 'alpha' of entry point 'main' must be a float, not 'high'")
        }
        // A path parameter, which a run may choose, stays inside the run's workspace.
        for path in ["/etc/passwd", "../other-run/secret.json", "data/../../x"] {
            do {
                _ = try main.command(with: ["data": path], relativeTo: workspace)
                Issue.record("\(path) was accepted")
            } catch let failure as TaskFailure {
                #expect(failure.description.contains("must be a path inside the run's workspace"), "\(failure)")
            }
        }
        #expect(try main.command(with: ["data": "s3://bucket/train.json"], relativeTo: workspace).command.contains("s3://bucket/train.json"))
        let unknown = try MLProject.parse("entry_points:\n  main:\n    command: run {missing}\n")
        do {
            _ = try #require(unknown.entryPoints["main"]).command(with: [:], relativeTo: workspace)
        } catch let failure as TaskFailure {
            #expect(failure.description.contains("uses {missing}, which is not one of its parameters"))
        }
        for bad in [
            "entry_points:\n  main: {}\n", "entry_points:\n  main:\n    command: x\n    parameters: {a: {type: matrix}}\n",
            "entry_points:\n  main:\n    comand: x\n",
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try MLProject.parse(bad) }
        }
    }

    @Test("Shell quoting as shlex.quote")
    func quoting() {
        #expect(ShellQuote.quote("plain-file_1.json") == "plain-file_1.json")
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("$(rm -rf /)") == "'$(rm -rf /)'")
        #expect(ShellQuote.quote("a'b") == "'a'\"'\"'b'")
    }
}
