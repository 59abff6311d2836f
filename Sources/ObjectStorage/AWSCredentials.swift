/// What signs requests to an S3-compatible store: an access key, its secret, and a session token
/// for temporary credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key only: the secret and the token are never printed.
    public var description: String { "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: ***)" }
    public var debugDescription: String { description }
}
