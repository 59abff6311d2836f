import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorAPI
import OrchestratorDatabase
import TaskExecution
import Workflow

extension OrchestratorUI {
    /// How many runs the grid shows.
    static let gridRuns = 25

    func addDAGRoutes(to router: RouterGroup<OrchestratorRequestContext>) {
        let ui = self
        router.get("/dags") { request, context in try await ui.dagsPage(request, context) }
        router.post("/dags/{dag_id}/pause") { request, context in
            _ = try context.require(.op)
            let form = try await FormData.read(request)
            let dagID = try context.parameters.decoded("dag_id")
            try await ui.orchestration.setPaused(dagID, form["paused"] == "true")
            return HTML.redirect(form["next"].flatMap(OrchestratorUI.localPath) ?? "/dags")
        }
        for (path, tab) in [("/dags/{dag_id}", "grid"), ("/dags/{dag_id}/graph", "graph"), ("/dags/{dag_id}/code", "code")] {
            router.get(RouterPath(path)) { request, context in try await ui.dagPage(request, context, tab: tab) }
        }
    }

    func dagsPage(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let query = PageQuery(request)
        let search = query["search"] ?? ""
        let tag = query["tag"] ?? ""
        let canEdit = (context.identity?.role ?? .viewer) >= .op
        var rows: [[String: Any]] = []
        for dag in try await store.dags() where dag.isActive {
            if !search.isEmpty, !dag.dagID.localizedCaseInsensitiveContains(search) { continue }
            if !tag.isEmpty, !dag.tags.contains(tag) { continue }
            let recent = try await store.runs(dagID: dag.dagID, limit: 10).runs
            var row: [String: Any] = [
                "dag_id": dag.dagID, "path_id": HTML.segment(dag.dagID), "description": dag.description ?? "", "tags": dag.tags,
                "owners": dag.owners.joined(separator: ", "), "schedule": dag.schedule ?? "None", "paused": dag.isPaused,
                "toggle_to": dag.isPaused ? "false" : "true", "can_edit": canEdit,
                "next_run": dag.nextRun.map { Self.date($0.end) } ?? "",
                "recent": recent.reversed().map {
                    ["run_id": $0.runID, "run_path": HTML.segment($0.runID), "state": $0.state.rawValue, "path_id": HTML.segment(dag.dagID)]
                },
            ]
            // Mustache shows a section for any value, "" included: no run, no key.
            if let state = recent.first?.state.rawValue { row["last_state"] = state }
            rows.append(row)
        }
        let errors = try await store.importErrors()
        var values = await base(context)
        values["dags"] = rows
        if !search.isEmpty { values["search"] = search }
        values["tag"] = tag
        values["has_import_errors"] = !errors.isEmpty
        values["import_errors"] = errors.map { ["filename": $0.filename, "message": $0.message] }
        return render("dags", values)
    }

    func dagPage(_ request: Request, _ context: OrchestratorRequestContext, tab: String) async throws -> Response {
        let dagID = try context.parameters.decoded("dag_id")
        guard let record = try await store.dags().first(where: { $0.dagID == dagID }) else {
            throw UIError(.notFound, "There is no DAG '\(dagID)'.")
        }
        let dag = try? await orchestration.dag(dagID)
        let runs = try await store.runs(dagID: dagID, limit: Self.gridRuns).runs
        let instances = try await store.taskInstances(of: runs)
        var taskIDs = dag?.tasks.map(\.taskID) ?? []
        for run in runs {
            for instance in instances[OrchestratorStore.runKey(dagID: dagID, runID: run.runID)] ?? [] where !taskIDs.contains(instance.taskID) {
                taskIDs.append(instance.taskID)
            }
        }
        let path = HTML.segment(dagID)
        let ordered = Array(runs.reversed())
        var values = await base(context)
        values["dag_id"] = dagID
        values["path_id"] = path
        values["description"] = record.description ?? ""
        values["tags"] = record.tags
        values["schedule"] = record.schedule ?? "None"
        values["owners"] = record.owners.joined(separator: ", ")
        values["paused"] = record.isPaused
        values["can_trigger"] = (context.identity?.role ?? .viewer) >= .op && dag != nil
        values["tab_\(tab)"] = true
        values["runs"] = ordered.map { ["run_id": $0.runID, "run_path": HTML.segment($0.runID), "state": $0.state.rawValue, "path_id": path] }
        values["grid"] = taskIDs.map { taskID -> [String: Any] in
            [
                "task_id": taskID,
                "cells": ordered.map { run -> [String: Any] in
                    let state =
                        instances[OrchestratorStore.runKey(dagID: dagID, runID: run.runID)]?.first { $0.taskID == taskID }?.state?.rawValue ?? "none"
                    return [
                        "state": state, "run_id": run.runID, "run_path": HTML.segment(run.runID), "task_id": taskID,
                        "task_path": HTML.segment(taskID), "path_id": path,
                    ]
                },
            ]
        }
        values["run_rows"] = runs.map { run -> [String: Any] in
            [
                "run_id": run.runID, "run_path": HTML.segment(run.runID), "state": run.state.rawValue, "run_type": run.runType.rawValue,
                "start": run.startDate.map(Self.date) ?? "", "duration": Self.duration(run.startDate, run.endDate),
                "conf": JSONValue.object(run.conf).jsonText,
                "path_id": path,
            ]
        }
        switch tab {
        case "graph":
            let selected = PageQuery(request)["run"]
            let run = runs.first { $0.runID == selected } ?? runs.first
            if let run {
                values["selected_run"] = true
                values["run_path"] = HTML.segment(run.runID)
            }
            values["graph_runs"] = runs.map { ["run_id": $0.runID, "state": $0.state.rawValue, "selected": $0.runID == run?.runID] as [String: Any] }
            let states = Dictionary(
                (run.flatMap { instances[OrchestratorStore.runKey(dagID: dagID, runID: $0.runID)] } ?? []).map {
                    ($0.taskID, $0.state?.rawValue ?? "none")
                },
                uniquingKeysWith: { $1 }
            )
            values["graph_svg"] =
                dag.map {
                    DAGGraph.svg(
                        $0,
                        states: states,
                        link: { task in
                            run.map { "/dags/\(path)/runs/\(HTML.segment($0.runID))/tasks/\(HTML.segment(task))" }
                        }
                    )
                } ?? "<p>The DAG's file is not loaded.</p>"
        case "code":
            values["file"] = record.fileLocation
            let url = folders.dags.appendingPathComponent(record.fileLocation)
            values["source"] = (try? String(contentsOf: url, encoding: .utf8)) ?? "The file \(record.fileLocation) cannot be read."
        default:
            break
        }
        return render("dag", values)
    }

    static func date(_ date: Date) -> String {
        String(DateText.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func duration(_ start: Date?, _ end: Date?) -> String {
        guard let start else { return "" }
        let seconds = (end ?? Date()).timeIntervalSince(start)
        if seconds < 60 { return String(format: "%.2f s", seconds) }
        return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
    }
}
