import HTTPSupport

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

    static func runInfo(_ info: RunInfo) -> JSONValue {
        object([
            "run_id": .string(info.runID),
            "run_uuid": .string(info.runID),
            "run_name": .string(info.runName),
            "experiment_id": .string(info.experimentID),
            "user_id": .string(info.userID),
            "status": .string(info.status.rawValue),
            "start_time": .integer(info.startTime),
            "end_time": info.endTime.map { .integer($0) },
            "artifact_uri": .string(info.artifactURI),
            "lifecycle_stage": .string(info.lifecycleStage.rawValue),
        ])
    }

    static func metric(_ metric: Metric) -> JSONValue {
        object([
            "key": .string(metric.key),
            "value": .double(metric.value),
            "timestamp": .integer(metric.timestamp),
            "step": .integer(metric.step),
            "model_id": metric.modelID.map { .string($0) },
        ])
    }

    static func loggedModel(_ model: LoggedModel) -> JSONValue {
        .object([
            "info": object([
                "model_id": .string(model.id),
                "experiment_id": .string(model.experimentID),
                "name": .string(model.name),
                "creation_timestamp_ms": .integer(model.creationTime),
                "last_updated_timestamp_ms": .integer(model.lastUpdatedTime),
                "artifact_uri": .string(model.artifactURI),
                "status": .string(model.status.rawValue),
                "model_type": model.modelType.map { .string($0) },
                "source_run_id": model.sourceRunID.map { .string($0) },
                "tags": tags(model.tags),
            ]),
            "data": object([
                "params": tags(model.params),
                "metrics": .array(model.metrics.map(metric)),
            ]),
        ])
    }

    static func run(_ run: Run) -> JSONValue {
        ([
            "info": runInfo(run.info),
            "data": object([
                "metrics": .array(run.data.metrics.map(metric)),
                "params": tags(run.data.params),
                "tags": tags(run.data.tags),
            ]),
            "inputs": object([
                "dataset_inputs": .array(run.inputs.datasets.map { input in
                    object([
                        "tags": tags(input.tags),
                        "dataset": object([
                            "name": .string(input.dataset.name),
                            "digest": .string(input.dataset.digest),
                            "source_type": .string(input.dataset.sourceType),
                            "source": .string(input.dataset.source),
                            "schema": input.dataset.schema.map { .string($0) },
                            "profile": input.dataset.profile.map { .string($0) },
                        ]),
                    ])
                }),
                "model_inputs": .array(run.inputs.modelIDs.map { .object(["model_id": .string($0)]) }),
            ]),
            "outputs": run.modelOutputs.isEmpty ? nil : .object([
                "model_outputs": .array(run.modelOutputs.map { .object(["model_id": .string($0.modelID), "step": .integer($0.step)]) }),
            ]),
        ] as [String: JSONValue?]).compactMapValues { $0 }.asObject
    }

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
            "model_id": version.modelID.map { .string($0) },
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

extension Dictionary where Key == String, Value == JSONValue {
    /// This dictionary as a JSON object.
    var asObject: JSONValue { .object(self) }
}
