public import Foundation
public import Workflow

/// A finished try of a task, kept when the task runs again.
public struct TaskTry: Sendable, Equatable {
    public var tryNumber: Int
    public var state: TaskState
    public var startDate: Date?
    public var endDate: Date?
    public var hostname: String
    public var pid: Int?
    public var message: String?
}
