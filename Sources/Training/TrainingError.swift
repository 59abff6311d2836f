/// Why samples could not be read or a model could not be fitted, in words that say what to fix.
public struct TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
