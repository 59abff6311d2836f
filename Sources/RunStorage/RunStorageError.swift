/// Why a ``RunStorage`` refused or failed an operation.
public struct RunStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible, compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public var description: String

        /// The file (or the task's data) is not stored.
        public static let notFound = Code(description: "not found")
        /// The contents are longer than the limit the caller gave.
        public static let tooLarge = Code(description: "too large")
        /// A path or id that cannot name a stored file (``StoredPath``).
        public static let invalidPath = Code(description: "invalid path")
        /// Reading or writing failed.
        public static let io = Code(description: "input/output error")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
