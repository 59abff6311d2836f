import HTTPTypes
import JSON

/// The model registry: `registered-models/*` and `model-versions/*`.
struct RegistryController {
    let store: TrackingStore

    func addRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        addRegisteredModelRoutes(to: &routes)
        addModelVersionRoutes(to: &routes)
    }

    private func addRegisteredModelRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        let store = store
        let model: @Sendable (RegisteredModel) -> JSONValue = { .object(["registered_model": MLflowJSON.registeredModel($0)]) }
        routes.add(.post, "/registered-models/create") { request in
            model(
                try await store.createRegisteredModel(
                    name: try request.requiredString("name"),
                    description: try request.string("description") ?? "",
                    tags: try request.keyValues("tags")
                )
            )
        }
        routes.add(.get, "/registered-models/get") { request in
            model(try await store.registeredModel(name: try request.requiredString("name")))
        }
        routes.add(.post, "/registered-models/rename") { request in
            model(try await store.renameRegisteredModel(name: try request.requiredString("name"), to: try request.requiredString("new_name")))
        }
        routes.add(.patch, "/registered-models/update") { request in
            model(
                try await store.updateRegisteredModel(name: try request.requiredString("name"), description: try request.string("description") ?? "")
            )
        }
        routes.add(.delete, "/registered-models/delete") { request in
            try await store.deleteRegisteredModel(name: try request.requiredString("name"))
            return .object([:])
        }
        routes.add(.get, "/registered-models/search") { request in
            let page = try await store.searchRegisteredModels(
                filter: try request.string("filter") ?? "",
                maxResults: Int(try request.int64("max_results") ?? 100),
                orderBy: try request.strings("order_by"),
                offset: try PageToken.offset(from: try request.string("page_token"))
            )
            return MLflowJSON.object([
                "registered_models": .array(page.models.map(MLflowJSON.registeredModel)),
                "next_page_token": page.nextOffset.map { .string(PageToken.make(offset: $0)) },
            ])
        }
        let latest: @Sendable (MLflowRequest) async throws -> JSONValue = { request in
            let versions = try await store.latestVersions(name: try request.requiredString("name"), stages: try request.strings("stages"))
            return MLflowJSON.object(["model_versions": .array(versions.map { MLflowJSON.modelVersion($0) })])
        }
        routes.add(.post, "/registered-models/get-latest-versions", latest)
        routes.add(.get, "/registered-models/get-latest-versions", latest)
        routes.add(.post, "/registered-models/set-tag") { request in
            try await store.setRegisteredModelTag(
                name: try request.requiredString("name"),
                Tag(key: try request.requiredString("key"), value: try request.string("value") ?? "")
            )
            return .object([:])
        }
        routes.add(.delete, "/registered-models/delete-tag") { request in
            try await store.deleteRegisteredModelTag(name: try request.requiredString("name"), key: try request.requiredString("key"))
            return .object([:])
        }
        routes.add(.post, "/registered-models/alias") { request in
            try await store.setAlias(
                name: try request.requiredString("name"),
                alias: try request.requiredString("alias"),
                version: try request.requiredString("version")
            )
            return .object([:])
        }
        routes.add(.delete, "/registered-models/alias") { request in
            try await store.deleteAlias(name: try request.requiredString("name"), alias: try request.requiredString("alias"))
            return .object([:])
        }
        routes.add(.get, "/registered-models/alias") { request in
            let version = try await store.modelVersion(name: try request.requiredString("name"), alias: try request.requiredString("alias"))
            return .object(["model_version": MLflowJSON.modelVersion(version)])
        }
    }

    private func addModelVersionRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        let store = store
        let version: @Sendable (ModelVersion) -> JSONValue = { .object(["model_version": MLflowJSON.modelVersion($0)]) }
        routes.add(.post, "/model-versions/create") { request in
            version(
                try await store.createModelVersion(
                    name: try request.requiredString("name"),
                    source: try request.requiredString("source"),
                    runID: try request.string("run_id"),
                    tags: try request.keyValues("tags"),
                    runLink: try request.string("run_link").flatMap { $0.isEmpty ? nil : $0 },
                    description: try request.string("description"),
                    modelID: try request.string("model_id")
                )
            )
        }
        routes.add(.get, "/model-versions/get") { request in
            version(try await store.modelVersion(name: try request.requiredString("name"), version: try request.requiredString("version")))
        }
        routes.add(.patch, "/model-versions/update") { request in
            version(
                try await store.updateModelVersion(
                    name: try request.requiredString("name"),
                    version: try request.requiredString("version"),
                    description: try request.string("description") ?? ""
                )
            )
        }
        routes.add(.delete, "/model-versions/delete") { request in
            try await store.deleteModelVersion(name: try request.requiredString("name"), version: try request.requiredString("version"))
            return .object([:])
        }
        routes.add(.get, "/model-versions/search") { request in
            let page = try await store.searchModelVersions(
                filter: try request.string("filter") ?? "",
                maxResults: Int(try request.int64("max_results") ?? 10_000),
                orderBy: try request.strings("order_by"),
                offset: try PageToken.offset(from: try request.string("page_token"))
            )
            return MLflowJSON.object([
                "model_versions": .array(page.versions.map { MLflowJSON.modelVersion($0) }),
                "next_page_token": page.nextOffset.map { .string(PageToken.make(offset: $0)) },
            ])
        }
        routes.add(.get, "/model-versions/get-download-uri") { request in
            let found = try await store.modelVersion(name: try request.requiredString("name"), version: try request.requiredString("version"))
            return .object(["artifact_uri": .string(found.downloadURI)])
        }
        routes.add(.post, "/model-versions/transition-stage") { request in
            guard let archive = try request.bool("archive_existing_versions") else { throw MLflowRequest.missing("archive_existing_versions") }
            return version(
                try await store.transitionStage(
                    name: try request.requiredString("name"),
                    version: try request.requiredString("version"),
                    stage: try request.requiredString("stage"),
                    archiveExisting: archive
                )
            )
        }
        routes.add(.post, "/model-versions/set-tag") { request in
            try await store.setModelVersionTag(
                name: try request.requiredString("name"),
                version: try request.requiredString("version"),
                Tag(key: try request.requiredString("key"), value: try request.string("value") ?? "")
            )
            return .object([:])
        }
        routes.add(.delete, "/model-versions/delete-tag") { request in
            try await store.deleteModelVersionTag(
                name: try request.requiredString("name"),
                version: try request.requiredString("version"),
                key: try request.requiredString("key")
            )
            return .object([:])
        }
    }
}
