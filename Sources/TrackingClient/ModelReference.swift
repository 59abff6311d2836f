import JSON

/// A model URI as MLflow writes them: `models:/<name>@<alias>`, `models:/<name>/<version>`,
/// `models:/m-<id>` (a logged model), `runs:/<run_id>/<path>`, or an `mlflow-artifacts:` location.
public enum ModelReference: Sendable, Equatable, CustomStringConvertible {
    case alias(model: String, alias: String)
    case version(model: String, version: String)
    case loggedModel(id: String)
    case run(id: String, path: String)
    case artifacts(String)

    public init(_ uri: String) throws(TrackingClientError) {
        func invalid(_ why: String) -> TrackingClientError {
            TrackingClientError(
                code: nil,
                status: nil,
                message:
                    "'\(uri)' is not a model URI: \(why) (use models:/<name>@<alias>, models:/<name>/<version>, models:/m-<id> or runs:/<run_id>/<path>)"
            )
        }
        if uri.hasPrefix("models:/") {
            let rest = String(uri.dropFirst("models:/".count))
            if let at = rest.lastIndex(of: "@") {
                let model = String(rest[..<at])
                let alias = String(rest[rest.index(after: at)...])
                guard !model.isEmpty, !alias.isEmpty else { throw invalid("a model name and an alias are needed around '@'") }
                self = .alias(model: model, alias: alias)
            } else if rest.hasPrefix("m-"), !rest.contains("/") {
                self = .loggedModel(id: rest)
            } else {
                let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw invalid("expected a name and a version or alias") }
                self = .version(model: String(parts[0]), version: String(parts[1]))
            }
        } else if uri.hasPrefix("runs:/") {
            let parts = uri.dropFirst("runs:/".count).split(separator: "/", maxSplits: 1)
            guard let id = parts.first, !id.isEmpty else { throw invalid("a run id is needed") }
            self = .run(id: String(id), path: parts.count > 1 ? String(parts[1]) : "")
        } else if uri.hasPrefix("mlflow-artifacts:") {
            self = .artifacts(uri)
        } else {
            throw invalid("unknown scheme")
        }
    }

    public var description: String {
        switch self {
        case .alias(let model, let alias): "models:/\(model)@\(alias)"
        case .version(let model, let version): "models:/\(model)/\(version)"
        case .loggedModel(let id): "models:/\(id)"
        case .run(let id, let path): "runs:/\(id)/\(path)"
        case .artifacts(let uri): uri
        }
    }
}

extension TrackingClient {
    /// Where a model's files are: the artifact location (`mlflow-artifacts:…`) of its directory, and
    /// the registered version when the reference names one.
    public func locate(_ reference: ModelReference) async throws(TrackingClientError) -> (artifactURI: String, version: String?) {
        switch reference {
        case .alias(let model, let alias):
            guard let version = try await modelVersion(model: model, alias: alias), let number = version["version"]?.string else {
                throw TrackingClientError(
                    code: "RESOURCE_DOES_NOT_EXIST",
                    status: 404,
                    message: "no version of registered model '\(model)' has the alias '\(alias)' yet"
                )
            }
            return (try await location(ofSource: version["source"]?.string ?? ""), number)
        case .version(let model, let version):
            let found = try await modelVersion(model: model, version: version)
            return (try await location(ofSource: found["source"]?.string ?? ""), version)
        case .loggedModel(let id):
            return (try await loggedModelArtifactURI(id), nil)
        case .run(let id, let path):
            let info = try await run(id: id)["info"]
            guard let root = info?["artifact_uri"]?.string else {
                throw TrackingClientError(code: nil, status: nil, message: "run \(id) has no artifact location")
            }
            return (path.isEmpty ? root : root + "/" + path, nil)
        case .artifacts(let uri):
            return (uri, nil)
        }
    }

    /// The artifact location of a registered version's `source`.
    private func location(ofSource source: String) async throws(TrackingClientError) -> String {
        let reference = try ModelReference(source)
        if case .alias = reference {
            throw TrackingClientError(code: nil, status: nil, message: "a model version's source cannot be an alias: \(source)")
        }
        if case .version = reference {
            throw TrackingClientError(code: nil, status: nil, message: "a model version's source cannot be another version: \(source)")
        }
        return try await locate(reference).artifactURI
    }
}
