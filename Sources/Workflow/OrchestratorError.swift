/// Why an orchestrator operation was refused (the API layer maps each case to its HTTP status).
public enum OrchestratorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A DAG, run, task or variable that does not exist (404).
    case notFound(String)
    /// Input that is not valid (400).
    case invalid(String)
    /// A request that conflicts with the current state (409).
    case conflict(String)
    /// A body in a media type the endpoint does not read (415).
    case unsupportedMediaType(String)

    public var message: String {
        switch self {
        case .notFound(let message), .invalid(let message), .conflict(let message), .unsupportedMediaType(let message): message
        }
    }

    public var description: String { message }
}
