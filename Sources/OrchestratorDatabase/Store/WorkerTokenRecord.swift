public import Foundation

/// A credential `flowline worker` authenticates with (the token itself is shown once, at creation).
public struct WorkerTokenRecord: Sendable, Equatable {
    public var name: String
    public var createdBy: String?
    public var createdAt: Date
    public var revokedAt: Date?
}
