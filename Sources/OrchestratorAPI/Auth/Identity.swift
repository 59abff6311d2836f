import Foundation
import Hummingbird
import NIOCore
public import OrchestratorDatabase

/// Who a request comes from.
public struct Identity: Sendable, Equatable {
    public var username: String
    public var role: Role

    public init(username: String, role: Role) {
        self.username = username
        self.role = role
    }
}
