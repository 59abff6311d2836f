public import Foundation

/// The example model's git repository, built from `line-model/` by `flowline up`: one commit per
/// entry of its `history.json`, with a fixed author and fixed dates so that the commit ids are
/// the same on every machine.
public struct ExampleModelRepository: Sendable {
    /// The repository's folder.
    public var url: URL
    /// Commit name (`linear`, `cubic`, `python`) → full SHA, in history order.
    public var commits: [(name: String, sha: String)]
    /// The head of the default branch.
    public var head: String

    private struct History: Decodable {
        struct Commit: Decodable {
            var name: String
            var tree: String
            var branch: String
            var parent: String?
            var date: String
            var message: String
        }

        var default_branch: String
        var commits: [Commit]
    }

    /// The repository at `url`, built first when it does not exist. An existing one is left as it
    /// is (users may add commits); only its commit ids are read.
    public static func ensure(at url: URL) throws -> ExampleModelRepository {
        let source = try ExampleProjects.folder().appendingPathComponent("line-model", isDirectory: true)
        let history = try JSONDecoder().decode(History.self, from: Data(contentsOf: source.appendingPathComponent("history.json")))
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) {
            try build(history, from: source, at: url)
        }
        var commits: [(String, String)] = []
        for commit in history.commits {
            // Each named commit is found by its message on its branch (the repository may have grown).
            if let sha = try? git(["log", "--format=%H", "--fixed-strings", "--grep", commit.message, "-n", "1", commit.branch], in: url),
                !sha.isEmpty
            {
                commits.append((commit.name, sha))
            }
        }
        let head = try git(["rev-parse", history.default_branch], in: url)
        return ExampleModelRepository(url: url, commits: commits, head: head)
    }

    private static func build(_ history: History, from source: URL, at url: URL) throws {
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: partial) }
        _ = try git(["init", "--quiet", "--initial-branch=\(history.default_branch)"], in: partial)
        var shas: [String: String] = [:]
        for (index, commit) in history.commits.enumerated() {
            if index > 0 {
                let start = commit.parent.flatMap { shas[$0] } ?? "HEAD"
                _ = try git(["checkout", "--quiet", "-B", commit.branch, start], in: partial)
                _ = try git(["rm", "-r", "--quiet", "--ignore-unmatch", "."], in: partial)
            }
            try copyTree(source.appendingPathComponent(commit.tree, isDirectory: true), into: partial)
            _ = try git(["add", "--all"], in: partial)
            _ = try git(["commit", "--quiet", "--no-verify", "-m", commit.message], in: partial, date: commit.date)
            shas[commit.name] = try git(["rev-parse", "HEAD"], in: partial)
        }
        _ = try git(["checkout", "--quiet", history.default_branch], in: partial)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: partial, to: url)
    }

    /// Copies the files of `tree` with fixed permissions (0644), so the commits do not depend on
    /// how the files were installed.
    private static func copyTree(_ tree: URL, into destination: URL) throws {
        let manager = FileManager.default
        guard let files = manager.enumerator(at: tree, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        for case let file as URL in files {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(tree.standardizedFileURL.path.count + 1))
            let target = destination.appendingPathComponent(relative)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contentsOf: file).write(to: target)
            try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
        }
    }

    /// Runs git with no user or system configuration, so nothing on this machine changes the commits.
    @discardableResult
    private static func git(_ arguments: [String], in directory: URL, date: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Flowline examples"
        environment["GIT_AUTHOR_EMAIL"] = "examples@flowline.invalid"
        environment["GIT_COMMITTER_NAME"] = "Flowline examples"
        environment["GIT_COMMITTER_EMAIL"] = "examples@flowline.invalid"
        if let date {
            environment["GIT_AUTHOR_DATE"] = date
            environment["GIT_COMMITTER_DATE"] = date
        }
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw ExampleError(
                "cannot run git to build the example model repository: \(error.localizedDescription) (install git, or start with --no-examples)"
            )
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw ExampleError("git \(arguments.first ?? "") failed while building the example model repository: \(text)")
        }
        return text
    }
}
