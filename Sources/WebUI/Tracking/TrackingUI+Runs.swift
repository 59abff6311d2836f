import Foundation
import Hummingbird
import Lineage
import Tracking

extension TrackingUI {
    /// The runs of an experiment: a page of `pageSize`, sorted and filtered in the database.
    func experimentPage(_ request: Request, id: String) async throws -> Response {
        let experiment = try await store.experiment(id: id)
        let query = PageQuery(request)
        let filter = query["filter"] ?? ""
        let order = query["order"].flatMap { $0.isEmpty ? nil : $0 } ?? "attributes.start_time DESC"
        let offset = max(0, query["offset"].flatMap { Int($0) } ?? 0)
        var values = base()
        values["id"] = id
        values["name"] = experiment.name
        values["filter"] = filter
        values["order"] = order
        var runs: [Run] = []
        var nextOffset: Int?
        do {
            (runs, nextOffset) = try await store.searchRuns(
                experimentIDs: [id],
                filter: filter,
                viewType: .activeOnly,
                maxResults: Self.pageSize,
                orderBy: [order],
                offset: offset
            )
        } catch let error as TrackingError {
            values["filter_error"] = error.message
        }
        // Columns: the params and metrics of the runs on this page.
        let paramKeys = Array(Set(runs.flatMap { $0.data.params.map(\.key) })).sorted()
        let metricKeys = Array(Set(runs.flatMap { $0.data.metrics.map(\.key) })).sorted()
        func link(order: String, offset: Int) -> String {
            var components = URLComponents()
            components.path = "/experiments/\(id)"
            components.queryItems = [
                URLQueryItem(name: "filter", value: filter), URLQueryItem(name: "order", value: order),
                URLQueryItem(name: "offset", value: String(offset)),
            ]
            return components.string ?? components.path
        }
        func sort(_ key: String) -> String {
            link(order: order == "\(key) DESC" ? "\(key) ASC" : "\(key) DESC", offset: 0)
        }
        values["sort_name"] = sort("attributes.run_name")
        values["sort_start"] = sort("attributes.start_time")
        values["param_columns"] = paramKeys.map { ["key": $0, "sort": sort("params.`\($0)`")] }
        values["metric_columns"] = metricKeys.map { ["key": $0, "sort": sort("metrics.`\($0)`")] }
        values["runs"] = runs.map { run -> [String: Any] in
            let params = Dictionary(run.data.params.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            let metrics = Dictionary(run.data.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            return [
                "run_id": run.info.runID, "name": run.info.runName.isEmpty ? run.info.runID : run.info.runName,
                "start": Self.date(milliseconds: run.info.startTime), "status": run.info.status.rawValue,
                "params": paramKeys.map { String((params[$0] ?? "").prefix(60)) },
                "metrics": metricKeys.map { metrics[$0].map(MetricChart.format) ?? "" },
            ]
        }
        if offset > 0 { values["previous"] = link(order: order, offset: max(0, offset - Self.pageSize)) }
        if let nextOffset { values["next"] = link(order: order, offset: nextOffset) }
        values["page_note"] = runs.isEmpty ? "" : "runs \(offset + 1)–\(offset + runs.count)"
        return render("experiment", values)
    }

    func runPage(_ request: Request, id: String) async throws -> Response {
        let run = try await store.run(id: id)
        let experiment = try await store.experiment(id: run.info.experimentID)
        let tags = Dictionary(run.data.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        var values = base()
        values["run_id"] = run.info.runID
        values["name"] = run.info.runName.isEmpty ? run.info.runID : run.info.runName
        values["experiment_id"] = experiment.id
        values["experiment_name"] = experiment.name
        values["status"] = run.info.status.rawValue
        values["start"] = Self.date(milliseconds: run.info.startTime)
        values["duration"] = run.info.endTime.map { String(format: "%.2f s", Double($0 - run.info.startTime) / 1000) } ?? "running"
        values["user"] = run.info.userID
        if let repo = tags[Lineage.Tag.gitRepositoryURL] {
            values["source_repo"] = repo
            values["source_commit"] = tags["mlflow.source.git.commit"] ?? ""
        }
        if let dagID = tags[Lineage.Tag.dagID], let dagRun = tags[Lineage.Tag.runID] {
            let task = tags["flowline.task_id"] ?? ""
            values["dag_id"] = dagID
            values["dag_run"] = dagRun
            values["task_id"] = task
            values["try_number"] = tags["flowline.try_number"] ?? ""
            // A link only when this process knows where the orchestrator is (`flowline up`).
            if let orchestrator = orchestratorURL() {
                values["dag_run_link"] = orchestrator + "/dags/\(HTML.segment(dagID))/runs/\(HTML.segment(dagRun))/tasks/\(HTML.segment(task))"
            }
        }
        var metrics: [[String: Any]] = []
        for metric in run.data.metrics.sorted(by: { $0.key < $1.key }) {
            let history = try await store.metricHistory(runID: id, key: metric.key, maxResults: 5000, offset: 0).metrics
            metrics.append([
                "key": metric.key, "value": MetricChart.format(metric.value), "step": metric.step,
                "chart": MetricChart.svg(history.map { (step: $0.step, value: $0.value) }),
            ])
        }
        values["metrics"] = metrics
        values["params"] = run.data.params.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
        values["tags"] = run.data.tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
        // Artifacts of the folder asked for.
        let folder = PageQuery(request)["path"] ?? ""
        let relative = try ArtifactPath(folder)
        values["artifact_path"] = relative.isRoot ? "artifacts/" : "artifacts/\(relative)/"
        var budget = Self.artifactTreeLimit
        if let (repository, root) = try? artifacts.locate(run.info.artifactURI) {
            values["artifacts"] = await artifactTree(repository, root: root, folder: relative, runID: id, depth: 0, budget: &budget)
        }
        if budget <= 0 { values["artifacts_cut"] = Self.artifactTreeLimit }
        let versions = try await store.searchModelVersions(filter: "run_id = \(FilterText.quoted(id))", maxResults: 100, orderBy: [], offset: 0)
            .versions
        values["versions"] = versions.map {
            ["model": $0.name, "model_path": HTML.segment($0.name), "version": $0.version, "aliases": $0.aliases] as [String: Any]
        }
        return render("tracking-run", values)
    }

    /// The artifact tree shows at most this many entries and this many folder levels at once.
    static let artifactTreeLimit = 500
    static let artifactTreeDepth = 6

    /// The entries under `folder`, folders with their own entries, as the `artifact-entry` partial reads them.
    func artifactTree(
        _ repository: any ArtifactRepository,
        root: ArtifactPath,
        folder: ArtifactPath,
        runID: String,
        depth: Int,
        budget: inout Int
    ) async -> [[String: Any]] {
        var entries: [[String: Any]] = []
        for entry in (try? await repository.list(root.appending(folder))) ?? [] {
            guard budget > 0 else { break }
            budget -= 1
            let path = folder.isRoot ? entry.name : "\(folder)/\(entry.name)"
            var item: [String: Any] = ["name": entry.name, "is_dir": entry.isDirectory, "path": HTML.segment(path), "run_id": runID]
            if entry.isDirectory {
                if depth + 1 < Self.artifactTreeDepth, let child = try? ArtifactPath(path) {
                    item["children"] = await artifactTree(repository, root: root, folder: child, runID: runID, depth: depth + 1, budget: &budget)
                }
            } else {
                item["size"] = entry.size.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .file) } ?? ""
                item["download"] = Self.downloadLink(runID: runID, path: path)
            }
            entries.append(item)
        }
        return entries
    }

    /// The link that downloads a run's file, wherever its artifacts are (MLflow's `/get-artifact`).
    static func downloadLink(runID: String, path: String) -> String {
        "/get-artifact?path=\(HTML.segment(path))&run_uuid=\(HTML.segment(runID))"
    }
}
