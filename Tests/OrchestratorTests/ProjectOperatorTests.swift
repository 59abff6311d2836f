import Foundation
import TaskExecution
import TestSupport
import Testing
import Workflow

@Suite("The project operator")
struct ProjectOperatorTests {
    /// A git repository with a commit without MLproject (tagged `bare`), then one with it (`main`, tagged `v1`).
    static func makeRepository(in folder: URL) async throws -> (url: URL, bare: String, head: String) {
        let repository = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        func git(_ arguments: String...) async throws -> String {
            let (status, output) = try await runProgram(
                "/usr/bin/env",
                ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"] + arguments,
                in: repository,
                errorsToo: true
            )
            let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
            guard status == 0 else { throw TestFailure("git \(arguments): \(text)") }
            return text
        }
        _ = try await git("init", "--quiet", "--initial-branch=main")
        try Data("# model\n".utf8).write(to: repository.appendingPathComponent("README.md"))
        _ = try await git("add", "--all")
        _ = try await git("commit", "--quiet", "-m", "no project yet")
        _ = try await git("tag", "bare")
        let bare = try await git("rev-parse", "HEAD")
        try Data(
            """
            entry_points:
              main:
                parameters:
                  data: path
                  alpha: {type: float, default: 1}
                command: "echo fitting {data} with {alpha}"
            """.utf8
        ).write(to: repository.appendingPathComponent("MLproject"))
        _ = try await git("add", "--all")
        _ = try await git("commit", "--quiet", "-m", "project")
        _ = try await git("tag", "v1")
        return (repository, bare, try await git("rev-parse", "HEAD"))
    }

    @Test("Unknown commits, unreachable repos, missing MLproject or entry point, missing or mistyped parameters: one clear line each")
    func failures() async throws {
        let folder = try TemporaryDirectory("flowline-project")
        defer { folder.remove() }
        let repository = try await Self.makeRepository(in: folder.url)
        let repo = repository.url.path
        let dag = """
            default_args: {retries: 0}
            tasks:
              - {id: unknown_commit, operator: project, repo: "\(repo)", version: "\(String(repeating: "0", count: 40))", tracking_uri: "http://127.0.0.1:9", parameters: {data: x}}
              - {id: unknown_branch, operator: project, repo: "\(repo)", version: no-such-branch, tracking_uri: "http://127.0.0.1:9", parameters: {data: x}}
              - {id: unreachable, operator: project, repo: "\(folder.url.path)/nowhere", tracking_uri: "http://127.0.0.1:9"}
              - {id: no_project, operator: project, repo: "\(repo)", version: bare, tracking_uri: "http://127.0.0.1:9"}
              - {id: no_entry_point, operator: project, repo: "\(repo)", entry_point: train, tracking_uri: "http://127.0.0.1:9"}
              - {id: missing_parameter, operator: project, repo: "\(repo)", tracking_uri: "http://127.0.0.1:9"}
              - {id: mistyped_parameter, operator: project, repo: "\(repo)", tracking_uri: "http://127.0.0.1:9", parameters: {data: x, alpha: high}}
              - {id: no_tracking, operator: project, repo: "\(repo)", version: v1, tracking_uri: "http://127.0.0.1:9", parameters: {data: x}}
            """
        try await Harness.with(.sqlite, files: ["projects.yaml": dag]) { harness in
            let run = try await harness.finished(try await harness.trigger("projects"), timeout: .seconds(60))
            let expected = [
                "unknown_commit": "'\(String(repeating: "0", count: 40))' is not a commit, branch or tag of \(repo)",
                "unknown_branch": "'no-such-branch' is not a commit, branch or tag of \(repo)",
                "unreachable": "cannot clone \(folder.url.path)/nowhere: ",
                "no_project": "the repository has no MLproject file at this commit, and 'main' is not a .py or .sh file in it",
                "no_entry_point": "entry point 'train' is not in MLproject (it has: main)",
                "missing_parameter": "parameter 'data' of entry point 'main' has no default and was not given",
                "mistyped_parameter": "parameter 'alpha' of entry point 'main' must be a float, not 'high'",
                "no_tracking": "cannot reach the tracking server at http://127.0.0.1:9",
            ]
            for (task, message) in expected {
                let instance = try await harness.instance(run, task)
                #expect(instance.state == .failed, "\(task)")
                #expect(instance.message?.contains(message) == true, "\(task): \(instance.message ?? "")")
            }
            // A tag resolves to its full SHA; the cache already had it (one clone for all tasks).
            #expect(try harness.log(run, "no_tracking").contains("Using commit \(repository.head) of \(repo) ('v1')"))
            let clones = try FileManager.default.contentsOfDirectory(atPath: harness.folders.repositories.path).filter { $0.hasSuffix(".git") }
            #expect(clones.count == 1, "\(clones)")  // a failed clone leaves nothing behind
        }
    }
}
