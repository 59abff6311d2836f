import Foundation
import JSON
import Lineage
import TrackingClient
public import Workflow

extension ProjectOperator: TaskOperator {
    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        let log = context.log
        guard let repo = context.string("repo"), !repo.isEmpty else { throw TaskFailure("repo is empty: name a git repository URL or path") }
        let version = versionSetting(context)
        let entryPointName = context.string("entry_point").flatMap { $0.isEmpty ? nil : $0 } ?? "main"
        var client: TrackingClient
        do {
            let uri = context.string("tracking_uri") ?? ""
            client = try TrackingClient(trackingURI: uri)
            var credentials = context.environment
            // The try's token only for the server it was issued for.
            if !Lineage.Environment.tokenMayGo(to: uri, environment: credentials) { credentials[Lineage.Environment.trackingToken] = nil }
            client.authorization = TrackingClient.authorization(environment: credentials)
        } catch {
            throw TaskFailure(error.message)
        }

        let sha = try await context.repositories.resolve(repo, version: version, log: log)
        log.write("Using commit \(sha) of \(repo)" + (version.map { $0 == sha ? "" : " ('\($0)')" } ?? " (default branch)"))
        // Checked out and read where only the server reaches, then moved into the workspace.
        let staged = try context.files.stagingURL()
        defer { try? FileManager.default.removeItem(at: staged) }  // still there only on failure
        try await context.repositories.checkout(repo, sha: sha, into: staged)
        let entryPoint = try entryPoint(entryPointName, in: staged)
        let checkout = try context.files.place(staged, at: "src/\(context.taskID)")
        let (command, values) = try entryPoint.command(with: parameterTexts(context), relativeTo: context.workspace)

        let experimentName = context.string("experiment").flatMap { $0.isEmpty ? nil : $0 } ?? context.dagID
        let (runID, experimentID, artifactURI) = try await tracking { () async throws(TrackingClientError) -> (String, String, String) in
            let experimentID = try await client.experimentID(named: experimentName)
            let info = try await client.createRun(
                experimentID: experimentID,
                name: context.string("run_name") ?? "\(context.taskID)-\(context.runID)",
                tags: tags(context, repo: repo, sha: sha, entryPoint: entryPointName)
            )
            let runID = info["run_id"]?.string ?? ""
            if !values.isEmpty { try await client.logBatch(runID: runID, params: values.map { (key: $0.0, value: $0.1) }) }
            return (runID, experimentID, info["artifact_uri"]?.string ?? "")
        }
        log.write("Tracking run \(runID) in experiment '\(experimentName)' (\(experimentID)) at \(client.baseURL.absoluteString)")

        var environment = ProcessTask.environment(context)
        environment[Lineage.Environment.trackingURI] = client.baseURL.absoluteString
        if !Lineage.Environment.tokenMayGo(to: client.baseURL.absoluteString, environment: environment) {
            environment[Lineage.Environment.trackingToken] = nil
        }
        environment[Lineage.Environment.trackingRunID] = runID
        environment[Lineage.Environment.experimentID] = experimentID
        environment[Lineage.Environment.artifactURI] = artifactURI
        environment[Lineage.Environment.loggedParams] = JSONValue.object(Dictionary(values.map { ($0.0, JSONValue.string($0.1)) }) { $1 }).jsonText
        environment[Lineage.Environment.projectRepository] = repo
        environment[Lineage.Environment.projectCommit] = sha
        let process = ChildProcess(
            executable: "bash",
            arguments: ["-c", command],
            environment: environment,
            workingDirectory: checkout,
            user: context.taskUser
        )
        do {
            _ = try await ProcessTask.run(process, context: context, skipCode: nil)
        } catch {
            // The run ends even when this task is being cancelled: a task of its own does that.
            let status = error is CancellationError ? "KILLED" : "FAILED"
            let ending = Task { try? await client.endRun(runID: runID, status: status) }
            await ending.value
            throw error
        }
        try await tracking { () async throws(TrackingClientError) in try await client.endRun(runID: runID, status: "FINISHED") }
        var more: [String: JSONValue] = [Lineage.XCom.trackingRunID: .string(runID), Lineage.XCom.experimentID: .string(experimentID)]
        // The model the command logged, if any: only the tracking server knows it.
        if let model = try? await client.runModel(try await client.run(id: runID)) {
            more[Lineage.XCom.modelURI] = .string(model.modelID.map { "models:/\($0)" } ?? model.source)
        }
        return .success(xcom: .string(sha), more: more)
    }

    /// `version` as text; YAML may read an all-digit short SHA as a number.
    private static func versionSetting(_ context: TaskRunContext) -> String? {
        switch context.settings["version"] {
        case .string(let text)? where !text.isEmpty: text
        case .number(let number)?: number.literal
        default: nil
        }
    }

    private static func parameterTexts(_ context: TaskRunContext) -> [String: String] {
        guard case .object(let values)? = context.settings["parameters"] else { return [:] }
        return values.mapValues { value in
            switch value {
            case .string(let text): text
            case .number(let number): number.literal
            default: value.jsonText
            }
        }
    }

    /// The entry point from `MLproject`; like `mlflow run`, a `.py` or `.sh` file of the repository
    /// is an entry point too.
    private static func entryPoint(_ name: String, in checkout: URL) throws -> MLProject.EntryPoint {
        let projectFile = checkout.appendingPathComponent(MLProject.fileName)
        let hasProject = FileManager.default.fileExists(atPath: projectFile.path)
        if hasProject {
            let project = try MLProject.load(from: checkout)
            if let entryPoint = project.entryPoints[name] { return entryPoint }
            if !isScript(name, in: checkout) {
                let known = project.entryPoints.keys.sorted().joined(separator: ", ")
                throw TaskFailure("entry point '\(name)' is not in \(MLProject.fileName) (it has: \(known.isEmpty ? "none" : known))")
            }
        }
        if isScript(name, in: checkout) {
            return MLProject.EntryPoint(name: name, parameters: [], command: (name.hasSuffix(".py") ? "python " : "bash ") + ShellQuote.quote(name))
        }
        throw TaskFailure("the repository has no \(MLProject.fileName) file at this commit, and '\(name)' is not a .py or .sh file in it")
    }

    private static func isScript(_ name: String, in checkout: URL) -> Bool {
        guard name.hasSuffix(".py") || name.hasSuffix(".sh"), let script = try? WorkspacePath.resolve(name, in: checkout) else { return false }
        return FileManager.default.fileExists(atPath: script.path)
    }

    private static func tags(_ context: TaskRunContext, repo: String, sha: String, entryPoint: String) -> [(String, String)] {
        [
            (Lineage.Tag.sourceType, "PROJECT"),
            (Lineage.Tag.sourceName, repo),
            (Lineage.Tag.gitRepositoryURL, repo),
            (Lineage.Tag.gitCommit, sha),
            (Lineage.Tag.entryPoint, entryPoint),
            (Lineage.Tag.projectBackend, "local"),
            (Lineage.Tag.user, context.owner),
            (Lineage.Tag.dagID, context.dagID),
            (Lineage.Tag.runID, context.runID),
            (Lineage.Tag.taskID, context.taskID),
            (Lineage.Tag.tryNumber, String(context.tryNumber)),
            (Lineage.Tag.conf, JSONValue.object(context.params).jsonText),
        ]
    }

    /// Runs tracking calls, turning their errors into the task's failure.
    private static func tracking<T>(_ body: () async throws(TrackingClientError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw TaskFailure(error.message)
        }
    }
}
