import Foundation

/// Slows down password guessing: after five failed logins for one user from one address within
/// five minutes, that pair is refused until the oldest failure is five minutes old.
public actor LoginThrottle {
    public static let allowedFailures = 5
    public static let window: TimeInterval = 300

    private var failures: [String: [Date]] = [:]

    public init() {}

    /// How long `username` from `address` must wait before trying again (`nil` when they may try now).
    public func waitTime(username: String, address: String, now: Date = Date()) -> TimeInterval? {
        let key = Self.key(username, address)
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count >= Self.allowedFailures, let oldest = recent.first else { return nil }
        return Self.window - now.timeIntervalSince(oldest)
    }

    public func failed(username: String, address: String, now: Date = Date()) {
        failures[Self.key(username, address), default: []].append(now)
        // Bound the memory an attacker can make this use.
        if failures.count > 10_000 { failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < Self.window } } }
    }

    public func succeeded(username: String, address: String) {
        failures[Self.key(username, address)] = nil
    }

    private static func key(_ username: String, _ address: String) -> String {
        "\(username.lowercased())\u{0}\(address)"
    }
}
