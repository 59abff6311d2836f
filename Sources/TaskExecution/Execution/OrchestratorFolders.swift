public import Foundation
public import RunStorage

/// Where the orchestrator keeps files: the DAGs, task logs and run workspaces.
public struct OrchestratorFolders: Sendable {
    public var dags: URL
    public var logs: URL
    public var workspaces: URL
    /// The cached clones of the repositories project tasks use.
    public var repositories: URL
    /// The folder of the run storage (``FolderRunStorage``), where tasks' outputs are kept.
    public var runStorage: URL
    /// Where finished tries' logs are archived when servers share no logs folder (an object
    /// store's run storage); `nil`: ``logs`` holds them all.
    public var logArchive: (any LogArchive)?

    /// - Parameters:
    ///   - repositories: defaults to `cache/git` next to `workspaces`.
    ///   - runStorage: defaults to `run-storage` next to `workspaces`.
    public init(dags: URL, logs: URL, workspaces: URL, repositories: URL? = nil, runStorage: URL? = nil) {
        self.dags = dags
        self.logs = logs
        self.workspaces = workspaces
        self.runStorage = runStorage ?? workspaces.deletingLastPathComponent().appendingPathComponent("run-storage", isDirectory: true)
        self.repositories =
            repositories
            ?? workspaces.deletingLastPathComponent().appendingPathComponent("cache", isDirectory: true).appendingPathComponent(
                "git",
                isDirectory: true
            )
    }

    /// Where the server prepares files for the workspaces (``WorkspaceFiles``): inside
    /// `workspaces`, so that moving them in is a rename, under a name no DAG id can have.
    public var staging: URL { workspaces.appendingPathComponent("+staging", isDirectory: true) }

    /// The workspace of a run: the working directory of its tasks.
    public func workspace(dagID: String, runID: String) -> URL {
        workspaces.appendingPathComponent(dagID, isDirectory: true).appendingPathComponent(TaskLog.safe(runID), isDirectory: true)
    }
}
