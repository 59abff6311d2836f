/// Reads one setting from its flag, else its `FLOWLINE_…` environment variable, else a default.
///
/// This is the one place where Flowline's configuration precedence lives: flags win over the
/// environment, which wins over defaults. A value that cannot be parsed is an error that names
/// where it came from, never silently replaced by the default.
public struct Settings: Sendable {
    /// The environment to read `FLOWLINE_…` variables from.
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The flag's value if given, else the variable's, else `fallback`.
    public func string(flag: String?, variable: String, default fallback: String) -> String {
        if let flag { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return fallback
    }

    /// A number read like ``string(flag:variable:default:)``.
    /// - Throws: ``SettingsError`` naming the variable when its text is not a number.
    public func value<Value: LosslessStringConvertible>(flag: Value?, variable: String, default fallback: Value) throws -> Value {
        if let flag { return flag }
        guard let text = environment[variable], !text.isEmpty else { return fallback }
        guard let value = Value(text.trimmingCharacters(in: " \t")) else {
            throw SettingsError("\(variable)=\(text) is not a valid \(Value.self)")
        }
        return value
    }

    /// A TCP port read like ``value(flag:variable:default:)``: 0 means any free port.
    /// - Throws: ``SettingsError`` when it is outside 0…65535.
    public func port(flag: Int?, option: String, variable: String, default fallback: Int) throws -> Int {
        let port = try value(flag: flag, variable: variable, default: fallback)
        guard (0...65_535).contains(port) else {
            throw SettingsError("\(option) (or \(variable)) must be a port between 0 and 65535, not \(port)")
        }
        return port
    }
}

/// A setting has a value Flowline cannot use; the message says which and why.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        let trimmed = drop { characters.contains($0) }.reversed().drop { characters.contains($0) }
        return String(trimmed.reversed())
    }
}
