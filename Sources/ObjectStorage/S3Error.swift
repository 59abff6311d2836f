/// What went wrong talking to an S3-compatible store, in words a user can act on.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No such object (`NoSuchKey`, or a 404 to a `HEAD`).
        case notFound
        /// The bucket does not exist (`NoSuchBucket`).
        case noSuchBucket
        /// The store refused the credentials or their permissions (`AccessDenied`,
        /// `InvalidAccessKeyId`, `SignatureDoesNotMatch`, …).
        case credentialsRefused
        /// A conditional write found an object there (`PreconditionFailed`).
        case exists
        /// The store could not be reached, or did not answer in time, after every retry.
        case unreachable
        /// The upload is larger than allowed.
        case tooLarge
        /// Any other refusal, or an answer that is not what S3 sends.
        case failed
    }

    public var kind: Kind
    /// The HTTP status of the store's answer, when there was one.
    public var status: Int?
    /// S3's error code (`NoSuchKey`, `SlowDown`, …), when the store sent one.
    public var code: String?
    public var message: String

    public init(_ kind: Kind, status: Int? = nil, code: String? = nil, _ message: String) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The kind of S3's error `code` at HTTP `status`.
    static func kind(code: String?, status: Int) -> Kind {
        switch code {
        case "NoSuchKey", "NoSuchUpload": return .notFound
        case "NoSuchBucket": return .noSuchBucket
        case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed",
            "InvalidSecurity":
            return .credentialsRefused
        case "PreconditionFailed": return .exists
        case "EntityTooLarge": return .tooLarge
        default:
            switch status {
            case 404: return .notFound
            case 401, 403: return .credentialsRefused
            case 412: return .exists
            default: return .failed
            }
        }
    }

    /// Whether the store asks to be tried again: 5xx, throttling, or a timed-out request.
    static func isRetryable(code: String?, status: Int) -> Bool {
        if ["SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError", "ServiceUnavailable"]
            .contains(code ?? "")
        {
            return true
        }
        return status >= 500 || status == 429
    }
}
