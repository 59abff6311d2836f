import Foundation

/// One setting, defined once: its flag, the environment variable(s) it is read from, its default,
/// and what `--help` says of it.
///
/// The `flowline` commands build their options from these definitions (flag name and help text),
/// and ``Settings/value(_:flag:)`` reads them, so the variable and default `--help` shows are the
/// ones used. The definitions are `Settings`' static members, one file per area.
public struct Setting<Value: Sendable & Equatable>: Sendable {
    /// The long flag (`--parallelism`); `nil` for a setting read from the environment only.
    public var option: String?
    /// The variables read when the flag is not given, in turn (`FLOWLINE_USER`, then
    /// `FLOWLINE_ADMIN_USER`). An empty variable is unset.
    public var variables: [String]
    /// The value when neither the flag nor a variable gives one.
    public var defaultValue: Value
    /// How `--help` shows the default: the default's text (``defaultIsShownAsValue``), or what an
    /// unset setting means ("dags/ in the data directory").
    public var shownDefault: String
    /// Whether ``shownDefault`` is the default's own text, which reads back as ``defaultValue``.
    public var defaultIsShownAsValue: Bool
    /// What the setting is, the start of its `--help` text.
    public var summary: String
    /// What a valid value is, for errors: "a whole number from 1 to 1024".
    public var expected: String
    /// Whether values are kept out of error messages (passwords, credentials).
    public var isSecret: Bool
    /// Reads a value from its text: `nil` when the text is not ``expected``; throws a more precise
    /// reason when there is one.
    let read: @Sendable (String) throws(SettingsError) -> Value?
    /// Whether a value (a flag ArgumentParser has already read) is acceptable.
    let accepts: @Sendable (Value) -> Bool

    /// Defines a setting.
    /// - Parameters:
    ///   - option: the long flag, `--name`; `nil` when there is none.
    ///   - variables: the variables read in turn when the flag is not given.
    ///   - defaultValue: the value when nothing gives one.
    ///   - shown: what `--help` says the default is; `nil` shows `defaultValue` itself.
    ///   - summary: what the setting is.
    ///   - expected: what a valid value is, for errors.
    ///   - isSecret: keep values out of error messages.
    ///   - read: a value from its text, `nil` when the text is not `expected`.
    ///   - accepts: whether a value is acceptable.
    public init(
        option: String?,
        variables: [String],
        default defaultValue: Value,
        shown: String? = nil,
        summary: String,
        expected: String,
        isSecret: Bool = false,
        read: @escaping @Sendable (String) throws(SettingsError) -> Value?,
        accepts: @escaping @Sendable (Value) -> Bool = { _ in true }
    ) {
        self.option = option
        self.variables = variables
        self.defaultValue = defaultValue
        self.shownDefault = shown ?? String(describing: defaultValue)
        self.defaultIsShownAsValue = shown == nil
        self.summary = summary
        self.expected = expected
        self.isSecret = isSecret
        self.read = read
        self.accepts = accepts
    }

    /// The text of `--help`: the summary, the variables and the default.
    public var help: String {
        "\(summary) (env: \(variables.joined(separator: ", else ")); default: \(shownDefault))."
    }

    /// The same setting under another flag, as a command with one service calls its port `--port`.
    public func named(_ option: String) -> Setting {
        var renamed = self
        renamed.option = option
        return renamed
    }

    /// The value `text` gives, read from `source` (a flag or a variable).
    /// - Throws: ``SettingsError`` naming `source` when the text is not a valid value.
    func value(from text: String, source: String) throws(SettingsError) -> Value {
        let value: Value?
        do {
            value = try read(text)
        } catch {
            throw SettingsError("\(source): \(error.description)")
        }
        guard let value, accepts(value) else { throw invalid(source: source, text: text) }
        return value
    }

    /// The error for a value that is not ``expected``, naming where it came from.
    func invalid(source: String, text: String) -> SettingsError {
        SettingsError("\(source) must be \(expected)" + (isSecret ? "" : ", not '\(text)'"))
    }
}

extension Setting where Value == String {
    /// A setting whose value is any text.
    public init(option: String?, variables: [String], default defaultValue: String, shown: String? = nil, summary: String, isSecret: Bool = false) {
        self.init(
            option: option,
            variables: variables,
            default: defaultValue,
            shown: shown,
            summary: summary,
            expected: "any text",
            isSecret: isSecret,
            read: { $0 }
        )
    }

    /// A setting whose value is an http(s) URL with a host.
    public static func httpURL(option: String, variables: [String], default defaultValue: String, summary: String) -> Setting {
        let isHTTPURL: @Sendable (String) -> Bool = { text in
            guard let url = URL(string: text) else { return false }
            return (url.scheme == "http" || url.scheme == "https") && url.host != nil
        }
        return Setting(
            option: option,
            variables: variables,
            default: defaultValue,
            summary: summary,
            expected: "an http(s) URL, like \(defaultValue)",
            read: { $0 },
            accepts: isHTTPURL
        )
    }
}

extension Setting where Value == Int {
    /// A setting whose value is a whole number in `range`.
    public init(option: String?, variables: [String], default defaultValue: Int, in range: ClosedRange<Int>, summary: String, expected: String? = nil)
    {
        self.init(
            option: option,
            variables: variables,
            default: defaultValue,
            summary: summary,
            expected: expected ?? "a whole number from \(range.lowerBound) to \(range.upperBound)",
            read: { Int($0.trimmingCharacters(in: .whitespaces)) },
            accepts: { range.contains($0) }
        )
    }

    /// A TCP port; 0 picks a free one.
    public static func port(option: String, variable: String, default defaultValue: Int, summary: String) -> Setting {
        Setting(
            option: option,
            variables: [variable],
            default: defaultValue,
            in: 0...65_535,
            summary: "\(summary); 0 picks a free one",
            expected: "a port from 0 to 65535"
        )
    }
}

/// A setting of any type: what the catalogue (``Settings/all``) and its tests see of each one.
public protocol AnySetting: Sendable, CustomStringConvertible {
    var option: String? { get }
    var variables: [String] { get }
    var shownDefault: String { get }
    var defaultIsShownAsValue: Bool { get }
    var isSecret: Bool { get }
    var help: String { get }
    /// Whether `settings` give this setting its default (no flag given).
    /// - Throws: ``SettingsError`` for a variable that is not a valid value.
    func resolvesToDefault(in settings: Settings) throws(SettingsError) -> Bool
}

extension Setting: AnySetting {
    public func resolvesToDefault(in settings: Settings) throws(SettingsError) -> Bool {
        try settings.value(self) == defaultValue
    }

    /// The setting's first variable, which names it.
    public var description: String { variables.first ?? option ?? "?" }
}
