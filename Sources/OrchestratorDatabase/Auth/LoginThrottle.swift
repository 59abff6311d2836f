public import Foundation

/// Slows down password guessing, for the REST API and the web UI alike (one throttle, kept by the
/// store both log in through): within five minutes, five failed logins for one user (from any
/// address) or ten from one address (for any users) refuse further tries for that user or from
/// that address until the oldest of those failures is five minutes old.
public actor LoginThrottle {
    /// Failures for one user, from anywhere, before that user's logins wait.
    public static let failuresPerUser = 5
    /// Failures from one address, for any users, before that address's logins wait.
    public static let failuresPerAddress = 10
    public static let window: TimeInterval = 300

    private var failures: [String: [Date]] = [:]

    public init() {}

    /// How long a login of `username` from `address` must wait (`nil` when it may try now).
    public func waitTime(username: String, address: String, now: Date = Date()) -> TimeInterval? {
        let waits = [
            wait(Self.userKey(username), limit: Self.failuresPerUser, now: now),
            wait(Self.addressKey(address), limit: Self.failuresPerAddress, now: now),
        ]
        return waits.compactMap { $0 }.max()
    }

    private func wait(_ key: String, limit: Int, now: Date) -> TimeInterval? {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let oldest = recent.dropLast(limit - 1).last else { return nil }
        return Self.window - now.timeIntervalSince(oldest)
    }

    public func failed(username: String, address: String, now: Date = Date()) {
        failures[Self.userKey(username), default: []].append(now)
        failures[Self.addressKey(address), default: []].append(now)
        // Bound the memory an attacker can make this use.
        if failures.count > 10_000 { failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < Self.window } } }
    }

    /// A successful login clears the user's failures (not the address's: logging in to one's own
    /// account must not reset guesses at others').
    public func succeeded(username: String) {
        failures[Self.userKey(username)] = nil
    }

    private static func userKey(_ username: String) -> String { "user\u{0}" + username.lowercased() }
    private static func addressKey(_ address: String) -> String { "address\u{0}" + address }
}
