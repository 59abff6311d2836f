public import Foundation

/// When a DAG runs by itself: a cron expression or preset, a fixed interval, or once.
///
/// A scheduled run covers a *data interval* and starts when the interval has ended, as in Airflow's
/// data-interval timetables: the `@daily` run for 2026-01-01 (its logical date, the interval's start)
/// starts at 2026-01-02T00:00Z.
///
/// A schedule describes itself as its DAG file wrote it: `@daily` stays `@daily` and `0 0 * * *`
/// stays `0 0 * * *`, although both fire at the same times.
public enum Schedule: Sendable, Equatable, CustomStringConvertible {
    /// A cron expression, with the preset it was written as (`@daily`), if any.
    case cron(CronExpression, preset: String? = nil)
    /// `every 30m`: back-to-back intervals of this length, from the DAG's start date.
    case every(Duration)
    /// `@once`: one run, at the start date.
    case once

    /// The presets and the cron expressions they stand for; several names may stand for one
    /// expression (`@daily` and `@midnight`), so an expression never names its preset.
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
            return .cron(try cron(preset), preset: trimmed)
        }
        if trimmed.hasPrefix("@") {
            throw .init(
                "unknown schedule preset '\(trimmed)'; use one of @once, \(presets.keys.sorted().joined(separator: ", ")), a cron expression or 'every 30m'"
            )
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
        case .cron(let expression, let preset): preset ?? expression.description
        case .every(let length): "every \(DurationText.format(length))"
        case .once: "@once"
        }
    }

    /// The first data interval that starts at or after `date`.
    public func interval(startingAtOrAfter date: Date) -> DataInterval? {
        switch self {
        case .cron(let expression, _):
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
        case .cron(let expression, _):
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
