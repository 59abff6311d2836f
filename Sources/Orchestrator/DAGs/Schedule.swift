import Foundation

/// When a DAG runs by itself: a cron expression or preset, a fixed interval, or once.
///
/// A scheduled run covers a *data interval* and starts when the interval has ended, as in Airflow's
/// data-interval timetables: the `@daily` run for 2026-01-01 (its logical date, the interval's start)
/// starts at 2026-01-02T00:00Z.
public enum Schedule: Sendable, Equatable, CustomStringConvertible {
    case cron(CronExpression)
    /// `every 30m`: back-to-back intervals of this length, from the DAG's start date.
    case every(Duration)
    /// `@once`: one run, at the start date.
    case once

    static let presets = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]

    /// Parses a schedule as written in a DAG file.
    /// - Throws: a message saying what is wrong.
    public static func parse(_ text: String) throws(DAGFileError.Problem) -> Schedule {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "@once" { return .once }
        if let preset = presets[trimmed] {
            return .cron(try cron(preset))
        }
        if trimmed.hasPrefix("@") {
            throw .init("unknown schedule preset '\(trimmed)'; use one of @once, \(presets.keys.sorted().joined(separator: ", ")), a cron expression or 'every 30m'")
        }
        if trimmed.hasPrefix("every ") {
            let length = try DurationText.parse(String(trimmed.dropFirst(6)))
            guard length >= .seconds(1) else { throw .init("the interval of '\(trimmed)' must be at least 1s") }
            return .every(length)
        }
        return .cron(try cron(trimmed))
    }

    private static func cron(_ text: String) throws(DAGFileError.Problem) -> CronExpression {
        do {
            return try CronExpression(text)
        } catch {
            throw .init("bad cron expression '\(text)': \(error.description)")
        }
    }

    public var description: String {
        switch self {
        case .cron(let expression): Self.presets.first { $0.value == expression.description }.map(\.key) ?? expression.description
        case .every(let length): "every \(DurationText.format(length))"
        case .once: "@once"
        }
    }

    /// The first data interval that starts at or after `date`.
    public func interval(startingAtOrAfter date: Date) -> DataInterval? {
        switch self {
        case .cron(let expression):
            guard let start = expression.next(after: date.addingTimeInterval(-0.001)), let end = expression.next(after: start) else { return nil }
            return DataInterval(start: start, end: end)
        case .every(let length):
            return DataInterval(start: date, end: date.addingTimeInterval(length.seconds))
        case .once:
            return DataInterval(start: date, end: date)
        }
    }

    /// The data interval that follows `interval`.
    public func interval(after interval: DataInterval) -> DataInterval? {
        switch self {
        case .cron, .every: self.interval(startingAtOrAfter: interval.end)
        case .once: nil
        }
    }

    /// The latest interval that has ended by `now`, for a DAG without catchup that starts at `origin`.
    public func latestCompleteInterval(before now: Date, origin: Date) -> DataInterval? {
        switch self {
        case .cron(let expression):
            guard let end = expression.previous(atOrBefore: now) else { return nil }
            let dayBack = end.addingTimeInterval(-60)
            guard let start = expression.previous(atOrBefore: dayBack), start >= origin else {
                return interval(startingAtOrAfter: origin).flatMap { $0.end <= now ? $0 : nil }
            }
            return DataInterval(start: start, end: end)
        case .every(let length):
            let count = ((now.timeIntervalSince(origin)) / length.seconds).rounded(.down)
            guard count >= 1 else { return nil }
            let start = origin.addingTimeInterval((count - 1) * length.seconds)
            return DataInterval(start: start, end: start.addingTimeInterval(length.seconds))
        case .once:
            return origin <= now ? DataInterval(start: origin, end: origin) : nil
        }
    }
}

/// The period of data a run covers: `[start, end)`.
public struct DataInterval: Sendable, Equatable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}

extension Duration {
    /// The duration in seconds, with fractions.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Durations as DAG files write them: `500ms`, `20s`, `10m`, `1h30m`, `2d`, or a number of seconds;
/// at most ``maximum`` (a hundred years).
public enum DurationText {
    /// The longest duration: anything longer is certainly a mistake (and would not fit the clock).
    public static let maximum: Duration = .seconds(100 * 365 * 86_400)

    public static func parse(_ text: String) throws(DAGFileError.Problem) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return try bounded(seconds, text) }
        var total = 0.0
        var number = ""
        var index = trimmed.startIndex
        var sawUnit = false
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), let scale = units[unit] else {
                throw .init("'\(text)' is not a duration; write it like 500ms, 20s, 10m, 1h30m or 2d")
            }
            total += value * scale
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total.isFinite else {
            throw .init("'\(text)' is not a duration; write it like 500ms, 20s, 10m, 1h30m or 2d")
        }
        return try bounded(total, text)
    }

    private static func bounded(_ seconds: Double, _ text: String) throws(DAGFileError.Problem) -> Duration {
        guard seconds <= maximum.seconds else { throw .init("'\(text)' is longer than a hundred years; write a shorter duration") }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static let units: [String: Double] = ["ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86_400]

    /// `90s` → `1m30s`.
    public static func format(_ duration: Duration) -> String {
        var milliseconds = Int64((duration.seconds * 1000).rounded())
        if milliseconds == 0 { return "0s" }
        var parts = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where milliseconds >= size {
            parts += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return parts
    }
}
