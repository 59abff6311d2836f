/// A Variable: a named value that templates read as `var.<name>`.
public struct VariableRecord: Sendable, Equatable {
    public var key: String
    public var value: String
    public var description: String?

    /// The most characters (code points) of a key.
    public static let maximumKeyLength = 250
}
