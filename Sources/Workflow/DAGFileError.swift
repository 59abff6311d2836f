/// A DAG file that cannot be loaded: where, and what to fix.
public struct DAGFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, relative to the DAGs folder.
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? "")\(column.map { ":\($0)" } ?? ""): \(message)"
    }

    /// A problem found at a position of a file.
    public struct Problem: Error, Sendable {
        public var message: String
        public var line: Int?
        public var column: Int?

        public init(_ message: String, line: Int? = nil, column: Int? = nil) {
            self.message = message
            self.line = line
            self.column = column
        }
    }
}
