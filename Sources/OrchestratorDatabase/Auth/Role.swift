/// What a user may do. Each role includes the ones below it: a viewer reads; an op also
/// triggers, clears, marks and pauses; an admin also manages users and variables.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    case viewer
    case op
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// The least role that reads Variables (which may hold secrets), in the REST API and the UI.
    public static let variableReader = Role.op

    /// Parses a role name, case-insensitively (`ADMIN`, `Op`).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}

/// A user as the store keeps them (without the password hash).
public struct User: Sendable, Equatable {
    public var username: String
    public var role: Role
    public var createdAt: Double
    /// Grows each time the password changes; tokens issued for an older version are refused.
    public var credentialsVersion: Int64 = 0
}
