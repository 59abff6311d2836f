/// Why a try's data could not be fetched or stored.
public struct TaskDataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
