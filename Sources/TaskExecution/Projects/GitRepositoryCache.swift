public import Foundation

/// Bare clones of the model repositories tasks use, one per URL, kept between runs: a commit that
/// is already there costs no network, anything else is fetched. Work on one URL is serialised.
public actor GitRepositoryCache {
    public let folder: URL
    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init(folder: URL) {
        self.folder = folder
    }

    /// The full SHA of `version` (a commit, tag or branch; `nil` for the default branch's head)
    /// of the repository at `url`, fetched into the cache when needed.
    func resolve(_ url: String, version: String?, log: TaskLog) async throws -> String {
        try await exclusively(url) {
            let repository = try await self.cachedRepository(url, log: log)
            if let version, Self.isFullSHA(version), try await Self.hasCommit(version, in: repository.path) {
                log.write("Commit \(version) is already in the cache")
                return version.lowercased()
            }
            if !repository.fresh {
                log.write("Fetching \(url)")
                _ = try await GitCommand(
                    ["fetch", "--quiet", "--prune", "--tags", "--force", "origin", "+refs/heads/*:refs/heads/*"],
                    in: repository.path
                )
                .output { TaskFailure("cannot fetch \(url): \($0)") }
            }
            let wanted = version ?? "HEAD"
            if let sha = try await Self.commit(of: wanted, in: repository.path) { return sha }
            if Self.looksLikeSHA(wanted) {
                // A commit no branch or tag reaches: some servers hand it out when asked by name.
                _ = try await GitCommand(["fetch", "--quiet", "origin", wanted], in: repository.path).run()
                if let sha = try await Self.commit(of: wanted, in: repository.path) { return sha }
            }
            throw TaskFailure("'\(wanted)' is not a commit, branch or tag of \(url)")
        }
    }

    /// Checks out `sha` of `url` (already resolved) into `destination`, replacing what was there.
    func checkout(_ url: String, sha: String, into destination: URL) async throws {
        try await exclusively(url) {
            let repository = self.path(for: url)
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try await GitCommand(["clone", "--quiet", "--no-checkout", repository.path, destination.path], in: self.folder)
                .output { TaskFailure("cannot copy the cached repository of \(url): \($0)") }
            _ = try await GitCommand(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", sha], in: destination)
                .output { TaskFailure("cannot check out \(sha) of \(url): \($0)") }
        }
    }

    /// The cache folder of `url`: its last path component, readable, and a hash that tells URLs apart.
    nonisolated func path(for url: String) -> URL {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let base = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "repository"
        let readable = String(
            base.replacingOccurrences(of: ".git", with: "").filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(40)
        )
        return folder.appendingPathComponent("\(readable.isEmpty ? "repository" : readable)-\(String(hash, radix: 16)).git", isDirectory: true)
    }

    /// The bare clone of `url`, cloned now (`fresh`) when it was not cached.
    private func cachedRepository(_ url: String, log: TaskLog) async throws -> (path: URL, fresh: Bool) {
        let path = path(for: url)
        if FileManager.default.fileExists(atPath: path.appendingPathComponent("HEAD").path) { return (path, false) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let partial = folder.appendingPathComponent(".partial-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: partial) }
        log.write("Cloning \(url)")
        _ = try await GitCommand(["clone", "--quiet", "--bare", "--", url, partial.path], in: folder)
            .output { TaskFailure("cannot clone \(url): \($0)") }
        try? FileManager.default.removeItem(at: path)
        try FileManager.default.moveItem(at: partial, to: path)
        return (path, true)
    }

    private static func commit(of version: String, in repository: URL) async throws -> String? {
        let result = try await GitCommand(["rev-parse", "--verify", "--quiet", "--end-of-options", version + "^{commit}"], in: repository).run()
        guard result.succeeded, let sha = result.output.last?.trimmingCharacters(in: .whitespaces), isFullSHA(sha) else { return nil }
        return sha
    }

    private static func hasCommit(_ sha: String, in repository: URL) async throws -> Bool {
        try await GitCommand(["cat-file", "-e", sha + "^{commit}"], in: repository).run().succeeded
    }

    static func isFullSHA(_ text: String) -> Bool { text.count == 40 && looksLikeSHA(text) }

    static func looksLikeSHA(_ text: String) -> Bool {
        (7...40).contains(text.count) && text.allSatisfy(\.isHexDigit)
    }

    /// Runs `body` while no other work on `key` runs.
    private func exclusively<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        while busy.contains(key) {
            await withCheckedContinuation { waiting[key, default: []].append($0) }
        }
        busy.insert(key)
        defer {
            busy.remove(key)
            if var queue = waiting[key], !queue.isEmpty {
                queue.removeFirst().resume()
                waiting[key] = queue.isEmpty ? nil : queue
            }
        }
        return try await body()
    }
}
