import Foundation
public import Storage
public import Tracking

/// When the tracking server asks for logins (the orchestrator's users), and where it finds them.
extension Settings {
    /// `auto`: logins on unless the server listens on loopback only.
    public static let trackingLogins = Setting<LoginMode>(
        option: "--tracking-auth",
        variables: ["FLOWLINE_TRACKING_AUTH"],
        default: .auto,
        summary: "Whether the tracking server asks for logins (the orchestrator's users): auto (on unless it listens on loopback only), on or off",
        expected: "auto, on or off",
        read: { LoginMode(rawValue: $0.lowercased()) }
    )

    /// The orchestrator's database, whose users `tracking serve` accepts; `nil`: `--database`'s,
    /// else `orchestrator.db` in the data directory.
    public static let usersDatabase = Setting<DatabaseURL?>(
        option: "--users-database",
        variables: ["FLOWLINE_USERS_DATABASE"],
        default: nil,
        shown: "FLOWLINE_DATABASE, else orchestrator.db in the data directory",
        summary: "The orchestrator's database, whose users and tokens the tracking server accepts when it asks for logins",
        expected: "a database URL",
        isSecret: true
    ) { text throws(SettingsError) in
        if text.isEmpty { return .some(nil) }
        do {
            return try DatabaseURL(text)
        } catch {
            throw SettingsError("\(error)")
        }
    }
}

extension Settings {
    /// Resolves whether `tracking` asks for logins, from `--tracking-auth`'s text (`nil`: not
    /// given) and its host; call after its host is set.
    /// - Throws: ``SettingsError`` for a value that is not auto, on or off.
    public func logins(_ tracking: inout TrackingConfiguration, text: String?) throws {
        tracking.asksForLogins = try value(Settings.trackingLogins, text: text).isOn(host: tracking.host)
    }
}

/// Whether a server asks for logins.
public enum LoginMode: String, Sendable, CaseIterable, CustomStringConvertible {
    case auto
    case on
    case off

    public var description: String { rawValue }

    /// Whether logins are on for a server listening on `host`: `auto` turns them on for any
    /// address but loopback.
    public func isOn(host: String) -> Bool {
        switch self {
        case .on: true
        case .off: false
        case .auto: !Self.isLoopback(host)
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }
}
