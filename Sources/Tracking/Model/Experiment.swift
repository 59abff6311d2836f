/// An MLflow experiment: a named group of runs.
public struct Experiment: Sendable, Equatable {
    /// An integer rendered as a string, as MLflow does; `"0"` is the Default experiment.
    public var id: String
    public var name: String
    /// `mlflow-artifacts:/<id>` unless given at creation.
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    /// Milliseconds since the epoch.
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [Tag]

    public init(
        id: String,
        name: String,
        artifactLocation: String,
        lifecycleStage: LifecycleStage,
        creationTime: Int64,
        lastUpdateTime: Int64,
        tags: [Tag] = []
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }
}

/// Whether an experiment or run is active or soft-deleted.
public enum LifecycleStage: String, Sendable, Equatable {
    case active
    case deleted
}

/// Which experiments or runs a search returns, by lifecycle stage.
public enum ViewType: String, Sendable, Equatable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// The view named `name` (`ACTIVE_ONLY` when absent; an unknown name is an error).
    public static func parse(_ name: String?) throws(TrackingError) -> ViewType {
        guard let name, !name.isEmpty else { return .activeOnly }
        guard let view = ViewType(rawValue: name) else {
            throw .invalid("Invalid view type '\(name)': use ACTIVE_ONLY, DELETED_ONLY or ALL.")
        }
        return view
    }

    /// The stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}

/// A key-value tag or param.
public struct Tag: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
