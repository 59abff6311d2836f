/// An error of the tracking service, with MLflow's error code, mapped to HTTP in one place
/// (the API's error middleware) exactly as MLflow maps it.
public struct TrackingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A required parameter that is missing, in MLflow's words.
    public static func missingParameter(_ name: String) -> TrackingError {
        .invalid("Missing value for required parameter '\(name)'. See the API docs for more information about request parameters.")
    }

    public var description: String { "\(code.name): \(message)" }

    /// MLflow's `error_code`s and the HTTP status MLflow sends for each.
    public struct Code: Sendable, Hashable {
        public let name: String
        public let httpStatus: Int

        public static let invalidParameterValue = Code(name: "INVALID_PARAMETER_VALUE", httpStatus: 400)
        public static let badRequest = Code(name: "BAD_REQUEST", httpStatus: 400)
        /// "Already exists" is a 400 in MLflow, not a 409.
        public static let resourceAlreadyExists = Code(name: "RESOURCE_ALREADY_EXISTS", httpStatus: 400)
        public static let resourceDoesNotExist = Code(name: "RESOURCE_DOES_NOT_EXIST", httpStatus: 404)
        public static let endpointNotFound = Code(name: "ENDPOINT_NOT_FOUND", httpStatus: 404)
        public static let permissionDenied = Code(name: "PERMISSION_DENIED", httpStatus: 403)
        public static let resourceExhausted = Code(name: "RESOURCE_EXHAUSTED", httpStatus: 429)
        public static let internalError = Code(name: "INTERNAL_ERROR", httpStatus: 500)
        public static let notImplemented = Code(name: "NOT_IMPLEMENTED", httpStatus: 501)
        /// A body past a configured size (`--max-artifact-size`).
        public static let tooLarge = Code(name: "INVALID_PARAMETER_VALUE", httpStatus: 413)
        /// A credential is needed (HTTP basic, as `MLFLOW_TRACKING_USERNAME`/`…_PASSWORD` send it).
        public static let unauthenticated = Code(name: "UNAUTHENTICATED", httpStatus: 401)
        public static let temporarilyUnavailable = Code(name: "TEMPORARILY_UNAVAILABLE", httpStatus: 503)
    }

    /// `INVALID_PARAMETER_VALUE` (400).
    public static func invalid(_ message: String) -> TrackingError {
        TrackingError(.invalidParameterValue, message)
    }

    /// `RESOURCE_DOES_NOT_EXIST` (404).
    public static func notFound(_ message: String) -> TrackingError {
        TrackingError(.resourceDoesNotExist, message)
    }

    /// `RESOURCE_ALREADY_EXISTS` (400).
    public static func alreadyExists(_ message: String) -> TrackingError {
        TrackingError(.resourceAlreadyExists, message)
    }
}
