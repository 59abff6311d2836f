/// A database could not be opened, migrated or used; the message says why.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
