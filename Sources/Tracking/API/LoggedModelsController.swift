import HTTPTypes
import JSON
import NIOCore

/// `logged-models/*` (MLflow 3's logged models) and `runs/outputs`.
struct LoggedModelsController {
    let store: TrackingStore
    let locations: ArtifactLocations

    func addRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        let store = store
        let locations = locations
        routes.addEncoded(.post, "/logged-models") { request in
            let model = try await store.createLoggedModel(
                experimentID: try request.requiredString("experiment_id"),
                name: try request.string("name"),
                modelType: try request.string("model_type"),
                sourceRunID: try request.string("source_run_id").flatMap { $0.isEmpty ? nil : $0 },
                params: try request.keyValues("params"),
                tags: try request.keyValues("tags")
            )
            return MLflowJSON.encode(model)
        }
        routes.addEncoded(.get, "/logged-models/{model_id}") { request in
            MLflowJSON.encode(try await store.loggedModel(id: try request.requiredString("model_id")))
        }
        routes.addEncoded(.patch, "/logged-models/{model_id}") { request in
            let name = try request.requiredString("status")
            guard let status = LoggedModelStatus(rawValue: name) else {
                throw TrackingError.invalid("Invalid value '\(name)' for parameter 'status': use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.")
            }
            return MLflowJSON.encode(try await store.finalizeLoggedModel(id: try request.requiredString("model_id"), status: status))
        }
        routes.add(.delete, "/logged-models/{model_id}") { request in
            try await store.deleteLoggedModel(id: try request.requiredString("model_id"))
            return .object([:])
        }
        routes.add(.patch, "/logged-models/{model_id}/tags") { request in
            try await store.setLoggedModelTags(id: try request.requiredString("model_id"), try request.keyValues("tags"))
            return .object([:])
        }
        routes.add(.delete, "/logged-models/{model_id}/tags/{tag_key}") { request in
            try await store.deleteLoggedModelTag(id: try request.requiredString("model_id"), key: try request.requiredString("tag_key"))
            return .object([:])
        }
        routes.add(.post, "/logged-models/{model_id}/params") { request in
            try await store.logLoggedModelParams(id: try request.requiredString("model_id"), try request.keyValues("params"))
            return .object([:])
        }
        routes.add(.get, "/logged-models/{model_id}/artifacts/directories") { request in
            let model = try await store.loggedModel(id: try request.requiredString("model_id"))
            let relative = try ArtifactPath(try request.string("artifact_directory_path") ?? "")
            let (repository, root) = try locations.locate(model.artifactURI)
            let entries = try await repository.list(root.appending(relative))
            return MLflowJSON.object([
                "root_uri": .string(model.artifactURI),
                "files": .array(entries.map { ArtifactsController.fileInfo(path: relative.isRoot ? $0.name : "\(relative)/\($0.name)", $0) }),
            ])
        }
        routes.addEncoded(.post, "/logged-models/search") { request in
            let maxResults = try request.int64("max_results").map { Int(max(1, min($0, 1000))) } ?? 50
            var orderBy: [(field: String, ascending: Bool)] = []
            for order in try request.messages("order_by") {
                orderBy.append((try order.requiredString("field_name"), try order.bool("ascending") ?? true))
            }
            let page = try await store.searchLoggedModels(
                experimentIDs: try request.strings("experiment_ids"),
                filter: try FilterParser.parse(try request.string("filter") ?? ""),
                orderBy: orderBy,
                maxResults: maxResults,
                offset: try PageToken.offset(from: try request.string("page_token"))
            )
            return JSONWriter.object { json in
                json.array("models", page.models) { json, model in MLflowJSON.write(model, to: &json) }
                json.field("next_page_token", page.nextOffset.map(PageToken.make(offset:)))
            }
        }
        routes.add(.post, "/runs/outputs") { request in
            var models: [(id: String, step: Int64)] = []
            for model in try request.messages("models") {
                models.append((try model.requiredString("model_id"), try model.int64("step") ?? 0))
            }
            try await store.logOutputs(runID: try request.runID(), models: models)
            return .object([:])
        }
    }
}
