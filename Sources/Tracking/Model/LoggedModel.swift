/// An MLflow 3 logged model: a model's artifacts, params, tags and metrics, linked to the run that
/// produced it.
public struct LoggedModel: Sendable, Equatable {
    /// `m-` and 32 lowercase hex digits.
    public var id: String
    public var experimentID: String
    public var name: String
    /// `<experiment artifact location>/models/<model id>/artifacts`.
    public var artifactURI: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var status: LoggedModelStatus
    public var modelType: String?
    public var sourceRunID: String?
    public var lifecycleStage: LifecycleStage
    public var tags: [Tag]
    public var params: [Tag]
    public var metrics: [Metric]
}

/// Where a logged model's upload stands.
public enum LoggedModelStatus: String, Sendable, Equatable {
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"
}
