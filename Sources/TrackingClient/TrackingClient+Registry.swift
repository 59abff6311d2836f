public import JSON

extension TrackingClient {
    /// The version of `model` that `alias` points at; `nil` when the model or alias does not exist.
    ///
    /// MLflow answers a missing model with RESOURCE_DOES_NOT_EXIST but a missing alias with
    /// INVALID_PARAMETER_VALUE, which is also its answer to a bad request: that one is told apart by
    /// the model's aliases.
    public func modelVersion(model: String, alias: String) async throws(TrackingClientError) -> JSONValue? {
        do {
            return try await call("GET", "registered-models/alias", ["name": .string(model), "alias": .string(alias)])["model_version"]
        } catch  where error.isMissingResource {
            return nil
        } catch  where error.code == "INVALID_PARAMETER_VALUE" {
            let registered: JSONValue
            do {
                registered = try await call("GET", "registered-models/get", ["name": .string(model)])
            } catch  where error.isMissingResource {
                return nil
            }
            let aliases = registered["registered_model"]?["aliases"]?.array ?? []
            if aliases.contains(where: { $0["alias"]?.string == alias }) { throw error }
            return nil
        }
    }

    /// Version `version` of `model`.
    public func modelVersion(model: String, version: String) async throws(TrackingClientError) -> JSONValue {
        let response = try await call("GET", "model-versions/get", ["name": .string(model), "version": .string(version)])
        guard let found = response["model_version"] else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking server did not answer model-versions/get with a version")
        }
        return found
    }

    /// Creates the registered model `name` unless it exists.
    public func ensureRegisteredModel(_ name: String) async throws(TrackingClientError) {
        do {
            try await call("POST", "registered-models/create", ["name": .string(name)])
        } catch  where error.code == "RESOURCE_ALREADY_EXISTS" {}
    }

    /// Registers a new version of `model` from `source`, linked to `runID`.
    public func createModelVersion(
        model: String,
        source: String,
        runID: String?,
        modelID: String? = nil,
        tags: [(String, String)] = []
    ) async throws(TrackingClientError) -> JSONValue {
        var body: [String: JSONValue] = [
            "name": .string(model), "source": .string(source),
            "tags": .array(tags.map { .object(["key": .string($0.0), "value": .string($0.1)]) }),
        ]
        if let runID { body["run_id"] = .string(runID) }
        if let modelID { body["model_id"] = .string(modelID) }
        let response = try await call("POST", "model-versions/create", body)
        guard let version = response["model_version"], version["version"]?.string != nil else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking server did not answer model-versions/create with a version")
        }
        return version
    }

    /// Points `alias` of `model` at `version`.
    public func setAlias(model: String, alias: String, version: String) async throws(TrackingClientError) {
        try await call("POST", "registered-models/alias", ["name": .string(model), "alias": .string(alias), "version": .string(version)])
    }

    /// The logged models (MLflow 3) a run produced, newest first.
    public func loggedModels(experimentID: String, runID: String) async throws(TrackingClientError) -> [JSONValue] {
        let response = try await call(
            "POST",
            "logged-models/search",
            [
                "experiment_ids": .array([.string(experimentID)]),
                "filter": .string("source_run_id = '\(runID)'"),
                "order_by": .array([.object(["field_name": "creation_timestamp", "ascending": .bool(false)])]),
            ]
        )
        return response["models"]?.array ?? []
    }

    /// The artifact location of a logged model `m-…`.
    public func loggedModelArtifactURI(_ modelID: String) async throws(TrackingClientError) -> String {
        let response = try await call("GET", "logged-models/\(modelID)")
        guard let uri = response["model"]?["info"]?["artifact_uri"]?.string else {
            throw TrackingClientError(
                code: nil,
                status: nil,
                message: "the tracking server did not give the artifact location of logged model \(modelID)"
            )
        }
        return uri
    }
}
