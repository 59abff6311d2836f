import JSON

/// The wire form of tracking entities, with MLflow's field names: snake_case, int64 as numbers,
/// enums by name, empty fields omitted.
enum MLflowJSON {
    /// An object without the members whose value is `nil` or an empty list.
    static func object(_ members: [String: JSONValue?]) -> JSONValue {
        var kept: [String: JSONValue] = [:]
        for (key, value) in members {
            guard let value else { continue }
            if case .array(let elements) = value, elements.isEmpty { continue }
            kept[key] = value
        }
        return .object(kept)
    }

    static func tags(_ tags: [Tag]) -> JSONValue {
        .array(tags.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
    }

    static func experiment(_ experiment: Experiment) -> JSONValue {
        object([
            "experiment_id": .string(experiment.id),
            "name": .string(experiment.name),
            "artifact_location": .string(experiment.artifactLocation),
            "lifecycle_stage": .string(experiment.lifecycleStage.rawValue),
            "creation_time": .integer(experiment.creationTime),
            "last_update_time": .integer(experiment.lastUpdateTime),
            "tags": tags(experiment.tags),
        ])
    }

    /// A model version as MLflow's registry sends it: without the logged model's ID, which its
    /// registry does not keep (the source names the model).
    static func modelVersion(_ version: ModelVersion, withAliases: Bool = true) -> JSONValue {
        object([
            "name": .string(version.name),
            "version": .string(version.version),
            "creation_timestamp": .integer(version.creationTime),
            "last_updated_timestamp": .integer(version.lastUpdatedTime),
            "user_id": version.userID.isEmpty ? nil : .string(version.userID),
            "current_stage": .string(version.currentStage),
            "description": version.description.isEmpty ? nil : .string(version.description),
            "source": .string(version.source),
            "run_id": version.runID.map { .string($0) },
            "run_link": version.runLink.map { .string($0) },
            "status": .string(version.status),
            "tags": tags(version.tags),
            "aliases": withAliases ? .array(version.aliases.map { .string($0) }) : nil,
        ])
    }

    static func registeredModel(_ model: RegisteredModel) -> JSONValue {
        object([
            "name": .string(model.name),
            "creation_timestamp": .integer(model.creationTime),
            "last_updated_timestamp": .integer(model.lastUpdatedTime),
            "description": model.description.isEmpty ? nil : .string(model.description),
            "latest_versions": .array(model.latestVersions.map { modelVersion($0, withAliases: false) }),
            "tags": tags(model.tags),
            "aliases": .array(model.aliases.map { .object(["alias": .string($0.alias), "version": .string($0.version)]) }),
        ])
    }
}
