public import Foundation

/// One task of one run, at its latest try.
public struct TaskInstance: Sendable, Equatable {
    /// The most bytes an XCom value may take, as JSON text.
    public static let maximumXComSize = 512 * 1024

    public var dagID: String
    public var runID: String
    public var taskID: String
    /// `nil` = no state yet.
    public var state: TaskState?
    /// The current (or last) try; 0 before the first.
    public var tryNumber: Int
    /// Tries beyond the first that the task may take (its retries, plus what clearing added).
    public var maxTries: Int
    public var operatorName: String
    public var startDate: Date?
    public var endDate: Date?
    public var scheduledAt: Date?
    public var queuedAt: Date?
    public var nextRetryAt: Date?
    public var hostname: String
    public var pid: Int?
    /// Why the try ended as it did (the failure message), if known.
    public var message: String?
    public var note: String?
    /// The queue whose workers may take the try (``TaskDefinition/queue``).
    public var queue: String
    /// The worker that holds the current try (by name), or held the last one; `nil` while queued
    /// for any worker of its queue.
    public var worker: String?
    /// The current try's lease: a random id given with the claim. With the try number it fences
    /// the try: a worker's report counts only while both still match.
    public var lease: String?

    public var duration: Double? {
        guard let startDate else { return nil }
        return (endDate ?? (state?.isFinished == true ? startDate : Date())).timeIntervalSince(startDate)
    }

    public init(
        dagID: String,
        runID: String,
        taskID: String,
        state: TaskState? = nil,
        tryNumber: Int,
        maxTries: Int,
        operatorName: String,
        startDate: Date? = nil,
        endDate: Date? = nil,
        scheduledAt: Date? = nil,
        queuedAt: Date? = nil,
        nextRetryAt: Date? = nil,
        hostname: String,
        pid: Int? = nil,
        message: String? = nil,
        note: String? = nil,
        queue: String = TaskDefinition.defaultQueue,
        worker: String? = nil,
        lease: String? = nil
    ) {
        self.dagID = dagID
        self.runID = runID
        self.taskID = taskID
        self.state = state
        self.tryNumber = tryNumber
        self.maxTries = maxTries
        self.operatorName = operatorName
        self.startDate = startDate
        self.endDate = endDate
        self.scheduledAt = scheduledAt
        self.queuedAt = queuedAt
        self.nextRetryAt = nextRetryAt
        self.hostname = hostname
        self.pid = pid
        self.message = message
        self.note = note
        self.queue = queue
        self.worker = worker
        self.lease = lease
    }
}
