/// A named model in the registry, with numbered versions.
public struct RegisteredModel: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var description: String
    /// The newest version in each stage.
    public var latestVersions: [ModelVersion]
    public var tags: [Tag]
    /// `(alias, version)` pairs, e.g. `("champion", "3")`.
    public var aliases: [(alias: String, version: String)]

    public static func == (lhs: RegisteredModel, rhs: RegisteredModel) -> Bool {
        lhs.name == rhs.name && lhs.creationTime == rhs.creationTime && lhs.lastUpdatedTime == rhs.lastUpdatedTime
            && lhs.description == rhs.description && lhs.latestVersions == rhs.latestVersions && lhs.tags == rhs.tags
            && lhs.aliases.map(\.alias) == rhs.aliases.map(\.alias) && lhs.aliases.map(\.version) == rhs.aliases.map(\.version)
    }
}

/// One version of a registered model.
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    /// 1, 2, 3… per model, sent as a string.
    public var version: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var userID: String
    /// `None`, `Staging`, `Production` or `Archived` (MLflow's deprecated stages).
    public var currentStage: String
    public var description: String
    /// Where the model's files are: `runs:/…`, `models:/m-…` or an artifact URI.
    public var source: String
    /// Where the files of a `models:/m-…` source are: the logged model's artifact location, kept
    /// when the version is made; `nil` for other sources.
    public var storageLocation: String?
    public var runID: String?
    public var runLink: String?
    public var modelID: String?
    public var status: String
    public var tags: [Tag]
    public var aliases: [String]

    /// What `get-download-uri` answers: the logged model's artifact location for a version made
    /// from one, else the source.
    public var downloadURI: String { storageLocation ?? source }
}

/// The stages of MLflow's (deprecated) stage workflow, by their canonical names.
public enum ModelStage {
    public static let all = ["None", "Staging", "Production", "Archived"]

    /// The canonical name of `stage`, matched without regard to case.
    /// - Throws: ``TrackingError`` for an unknown stage.
    public static func canonical(_ stage: String) throws(TrackingError) -> String {
        guard let match = all.first(where: { $0.lowercased() == stage.lowercased() }) else {
            throw .invalid("Invalid Model Version stage: \(stage). Value must be one of None, Staging, Production, Archived.")
        }
        return match
    }
}
