public import Foundation

/// The period of data a run covers: `[start, end)`.
public struct DataInterval: Sendable, Equatable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}
