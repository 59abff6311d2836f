/// A tracking request that failed: the server's MLflow error code and message, or why it could not
/// be reached.
public struct TrackingClientError: Error, Sendable, CustomStringConvertible {
    /// MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, …); `nil` when no server answered.
    public var code: String?
    public var status: Int?
    public var message: String

    public init(code: String?, status: Int?, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public var isMissingResource: Bool { code == "RESOURCE_DOES_NOT_EXIST" || status == 404 }
}
