/// An MLflow run: one execution of training code, with its params, metrics and tags.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    public var data: RunData
    /// The datasets and models the run used.
    public var inputs: RunInputs
    /// The logged models the run produced, with the step of each.
    public var modelOutputs: [(modelID: String, step: Int64)]

    public init(info: RunInfo, data: RunData, inputs: RunInputs = RunInputs(), modelOutputs: [(modelID: String, step: Int64)] = []) {
        self.info = info
        self.data = data
        self.inputs = inputs
        self.modelOutputs = modelOutputs
    }

    public static func == (lhs: Run, rhs: Run) -> Bool {
        lhs.info == rhs.info && lhs.data == rhs.data && lhs.inputs == rhs.inputs
            && lhs.modelOutputs.map(\.modelID) == rhs.modelOutputs.map(\.modelID) && lhs.modelOutputs.map(\.step) == rhs.modelOutputs.map(\.step)
    }
}

/// What a run read: datasets (with tags such as `mlflow.data.context`) and logged models.
public struct RunInputs: Sendable, Equatable {
    public var datasets: [DatasetInput]
    public var modelIDs: [String]

    public init(datasets: [DatasetInput] = [], modelIDs: [String] = []) {
        self.datasets = datasets
        self.modelIDs = modelIDs
    }
}

/// A dataset a run used, and the tags of that use.
public struct DatasetInput: Sendable, Equatable {
    public var dataset: Dataset
    public var tags: [Tag]

    public init(dataset: Dataset, tags: [Tag]) {
        self.dataset = dataset
        self.tags = tags
    }
}

/// A dataset, identified within its experiment by name and digest.
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?

    public init(name: String, digest: String, sourceType: String, source: String, schema: String? = nil, profile: String? = nil) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }
}

/// What a run is: identity, status and times.
public struct RunInfo: Sendable, Equatable {
    /// 32 lowercase hex digits.
    public var runID: String
    public var runName: String
    public var experimentID: String
    public var userID: String
    public var status: RunStatus
    /// Milliseconds since the epoch.
    public var startTime: Int64
    public var endTime: Int64?
    /// `<experiment artifact location>/<run id>/artifacts`.
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        runID: String,
        runName: String,
        experimentID: String,
        userID: String,
        status: RunStatus,
        startTime: Int64,
        endTime: Int64?,
        artifactURI: String,
        lifecycleStage: LifecycleStage
    ) {
        self.runID = runID
        self.runName = runName
        self.experimentID = experimentID
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// What a run recorded: the latest value of each metric, its params and its tags.
public struct RunData: Sendable, Equatable {
    public var metrics: [Metric]
    public var params: [Tag]
    public var tags: [Tag]

    public init(metrics: [Metric] = [], params: [Tag] = [], tags: [Tag] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }
}

/// MLflow's run statuses, sent by name.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"
}

/// One measurement of a metric.
///
/// As MLflow sends them, a run's metrics (its latest values and its history) carry neither the
/// run nor a model; a logged model's metrics carry both, and the dataset they were measured on.
public struct Metric: Sendable, Equatable {
    public var key: String
    /// May be NaN or infinite; sent as `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public var value: Double
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var step: Int64
    /// The logged model the measurement is about, if any.
    public var modelID: String?
    /// The run that logged the measurement: set on a logged model's metrics.
    public var runID: String?
    /// The dataset the measurement was made on, by name and digest (a logged model's metrics).
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String,
        value: Double,
        timestamp: Int64,
        step: Int64,
        modelID: String? = nil,
        runID: String? = nil,
        datasetName: String? = nil,
        datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelID = modelID
        self.runID = runID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    /// Equal when every field is, NaN values included.
    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step && lhs.modelID == rhs.modelID
            && lhs.runID == rhs.runID && lhs.datasetName == rhs.datasetName && lhs.datasetDigest == rhs.datasetDigest
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }

    /// Whether this measurement replaces `other` as the latest: MLflow compares
    /// (step, timestamp, value) lexicographically, NaN counting as smaller than any number.
    public func isLater(than other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN { return false }
        if other.value.isNaN { return true }
        return value >= other.value
    }
}
