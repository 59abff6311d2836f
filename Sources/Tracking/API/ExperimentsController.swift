import HTTPTypes
import JSON

/// `experiments/*`: create, get, get-by-name, update (rename), delete, restore, and tags.
struct ExperimentsController {
    let store: TrackingStore

    func addRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        let store = store
        routes.add(.post, "/experiments/create") { request in
            let id = try await store.createExperiment(
                name: try request.requiredString("name"),
                artifactLocation: try request.string("artifact_location").flatMap { $0.isEmpty ? nil : $0 },
                tags: try request.keyValues("tags")
            )
            return .object(["experiment_id": .string(id)])
        }
        routes.add(.get, "/experiments/get") { request in
            .object(["experiment": MLflowJSON.experiment(try await store.experiment(id: try request.requiredString("experiment_id")))])
        }
        routes.add(.get, "/experiments/get-by-name") { request in
            .object(["experiment": MLflowJSON.experiment(try await store.experiment(named: try request.requiredString("experiment_name")))])
        }
        let search: @Sendable (MLflowRequest) async throws -> JSONValue = { request in
            let page = try await store.searchExperiments(
                filter: try request.string("filter") ?? "",
                viewType: try ViewType.parse(try request.string("view_type")),
                maxResults: Int(try request.int64("max_results") ?? 0),
                orderBy: try request.strings("order_by"),
                offset: try PageToken.offset(from: try request.string("page_token"))
            )
            return MLflowJSON.object([
                "experiments": .array(page.experiments.map(MLflowJSON.experiment)),
                "next_page_token": page.nextOffset.map { .string(PageToken.make(offset: $0)) },
            ])
        }
        routes.add(.post, "/experiments/search", search)
        routes.add(.get, "/experiments/search", search)
        routes.add(.post, "/experiments/update") { request in
            let id = try request.requiredString("experiment_id")
            if let name = try request.string("new_name"), !name.isEmpty {
                try await store.renameExperiment(id: id, to: name)
            }
            return .object([:])
        }
        routes.add(.post, "/experiments/delete") { request in
            try await store.deleteExperiment(id: try request.requiredString("experiment_id"))
            return .object([:])
        }
        routes.add(.post, "/experiments/restore") { request in
            try await store.restoreExperiment(id: try request.requiredString("experiment_id"))
            return .object([:])
        }
        routes.add(.post, "/experiments/set-experiment-tag") { request in
            try await store.setExperimentTag(
                id: try request.requiredString("experiment_id"),
                Tag(key: try request.requiredString("key"), value: try request.string("value") ?? "")
            )
            return .object([:])
        }
        routes.add(.post, "/experiments/delete-experiment-tag") { request in
            try await store.deleteExperimentTag(id: try request.requiredString("experiment_id"), key: try request.requiredString("key"))
            return .object([:])
        }
    }
}
