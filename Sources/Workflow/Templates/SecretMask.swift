import Foundation
public import JSON

/// Airflow's secrets masker: the values of Variables whose names say they are secret
/// (`api_key`, `db_password`, `slack_token`, …) are written as `***` in task logs and rendered
/// templates, whoever reads them.
public struct SecretMask: Sendable, Equatable {
    /// Parts of a Variable's name that make its value a secret (Airflow's list).
    public static let sensitiveNames = [
        "access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password", "private_key", "secret", "token",
        "keyfile_dict", "service_account",
    ]
    /// Values shorter than this are not masked: hiding every `1` or `yes` would hide too much.
    static let minimumLength = 4

    /// The secret values, longest first (so that a secret containing another is hidden whole).
    public let values: [String]

    /// Hides exactly `values` (as another ``SecretMask`` found them).
    public init(values: [String]) {
        self.values = values.sorted { $0.count > $1.count }
    }

    public init(variables: [String: String]) {
        values = variables.filter { key, value in
            let name = key.lowercased()
            return value.count >= Self.minimumLength && Self.sensitiveNames.contains { name.contains($0) }
        }.map(\.value).sorted { $0.count > $1.count }
    }

    public static let none = SecretMask(variables: [:])

    /// `text` with every secret value replaced by `***`.
    public func apply(_ text: String) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// `value` with the secrets hidden in every string of it.
    public func apply(to value: JSONValue) -> JSONValue {
        guard !values.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(apply(text))
        case .array(let elements): return .array(elements.map(apply(to:)))
        case .object(let members): return .object(members.mapValues(apply(to:)))
        default: return value
        }
    }
}
