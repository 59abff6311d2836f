import Foundation
import HTTPSupport
public import Hummingbird
import NIOCore
public import Tracking
import Workflow

/// The tracking server's web UI, on its own port: experiments, runs (sortable, filterable with
/// MLflow's search syntax, paged on the server), a run's metrics with charts, params, tags,
/// source and pipeline links, artifacts, and the model registry. Read-only, like MLflow's UI
/// without authentication.
public struct TrackingUI: Sendable {
    let store: TrackingStore
    let artifacts: ArtifactLocations
    let pages: WebPages
    /// The orchestrator's URL, for links back to the DAG run that produced a run (when known).
    let orchestratorURL: @Sendable () -> String?

    static let pageSize = 50

    public init(store: TrackingStore, artifacts: ArtifactLocations, orchestratorURL: @escaping @Sendable () -> String? = { nil }) throws {
        self.store = store
        self.artifacts = artifacts
        self.orchestratorURL = orchestratorURL
        pages = try WebPages()
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let ui = self
        HTML.addAssets(to: router)
        let group = router.group().add(middleware: TrackingUIErrorMiddleware<Context>(pages: pages))
        group.get("/") { _, _ in HTML.redirect("/experiments") }
        group.get("/experiments") { request, _ in try await ui.experimentsPage(request) }
        group.get("/experiments/{id}") { request, context in try await ui.experimentPage(request, id: try context.parameters.require("id")) }
        group.get("/runs/{id}") { request, context in try await ui.runPage(request, id: try context.parameters.require("id")) }
        group.get("/runs/{id}/artifact") { request, context in try await ui.artifactPage(request, runID: try context.parameters.require("id")) }
        group.get("/compare") { request, _ in try await ui.comparePage(request) }
        group.get("/models") { request, _ in try await ui.modelsPage(request) }
        group.get("/models/{name}") { _, context in try await ui.modelPage(name: try context.parameters.decoded("name")) }
    }

    func base() -> [String: Any] {
        var nav: [[String: String]] = [["href": "/experiments", "label": "Experiments"], ["href": "/models", "label": "Models"]]
        if let orchestrator = orchestratorURL() { nav.append(["href": orchestrator + "/dags", "label": "Orchestrator"]) }
        return ["nav": nav]
    }

    func render(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        HTML.page(pages.render(name, values), status: status)
    }

    static func date(milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        return String(DateText.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000)).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    func experimentsPage(_ request: Request) async throws -> Response {
        let query = PageQuery(request)["q"] ?? ""
        let filter = query.isEmpty ? "" : "name LIKE \(FilterText.quoted("%" + query + "%"))"
        let found = try await store.searchExperiments(
            filter: filter,
            viewType: .activeOnly,
            maxResults: 1000,
            orderBy: ["last_update_time DESC"],
            offset: 0
        )
        var values = base()
        values["q"] = query
        values["experiments"] = found.experiments.map { experiment -> [String: Any] in
            [
                "id": experiment.id, "name": experiment.name, "created": Self.date(milliseconds: experiment.creationTime),
                "location": experiment.artifactLocation,
            ]
        }
        return render("experiments", values)
    }

    func modelsPage(_ request: Request) async throws -> Response {
        let query = PageQuery(request)["q"] ?? ""
        let filter = query.isEmpty ? "" : "name LIKE \(FilterText.quoted("%" + query + "%"))"
        let found = try await store.searchRegisteredModels(filter: filter, maxResults: 1000, orderBy: ["name ASC"], offset: 0)
        var values = base()
        values["q"] = query
        values["models"] = found.models.map { model -> [String: Any] in
            [
                "name": model.name, "path": HTML.segment(model.name),
                "latest": model.latestVersions.map(\.version).max { (Int($0) ?? 0) < (Int($1) ?? 0) } ?? "",
                "aliases": model.aliases.map { "\($0.alias) → v\($0.version)" }, "updated": Self.date(milliseconds: model.lastUpdatedTime),
            ]
        }
        return render("models", values)
    }

    func modelPage(name: String) async throws -> Response {
        let model = try await store.registeredModel(name: name)
        let versions = try await store.searchModelVersions(
            filter: "name = \(FilterText.quoted(name))",
            maxResults: 1000,
            orderBy: ["version_number DESC"],
            offset: 0
        ).versions
        var values = base()
        values["name"] = model.name
        values["description"] = model.description
        values["aliases"] = model.aliases.map { ["alias": $0.alias, "version": $0.version] }
        values["versions"] = versions.map { version -> [String: Any] in
            var row: [String: Any] = [
                "version": version.version, "aliases": version.aliases, "stage": version.currentStage,
                "created": Self.date(milliseconds: version.creationTime), "tags": version.tags.map { ["key": $0.key, "value": $0.value] },
            ]
            if let run = version.runID, !run.isEmpty { row["run_id"] = run }
            return row
        }
        return render("model", values)
    }
}

/// Renders the tracking UI's errors as HTML pages (the REST API keeps MLflow's JSON errors).
struct TrackingUIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as TrackingError {
            return page(.init(code: error.code.httpStatus), error.message)
        } catch let error as UIError {
            return page(error.status, error.message)
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String) -> Response {
        HTML.page(
            pages.render(
                "error",
                ["status": "\(status.code) \(status.reasonPhrase)", "message": message, "nav": [["href": "/experiments", "label": "Experiments"]]]
            ),
            status: status
        )
    }
}
