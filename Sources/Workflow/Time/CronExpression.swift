public import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`, and month and
/// weekday names (`jan`, `mon`). As in classic cron, when both day-of-month and day-of-week are
/// restricted a day matches if either does; 7 is also Sunday.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    /// Parses `text`.
    /// - Throws: ``CronError`` saying which field is wrong and why.
    public init(_ text: String) throws(CronError) {
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronError("a cron expression has 5 fields (minute hour day-of-month month day-of-week), '\(text)' has \(fields.count)")
        }
        description = fields.joined(separator: " ")
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59, names: [:])
        hours = try Self.parse(fields[1], name: "hour", range: 0...23, names: [:])
        daysOfMonth = try Self.parse(fields[2], name: "day-of-month", range: 1...31, names: [:])
        months = try Self.parse(fields[3], name: "month", range: 1...12, names: Self.monthNames)
        let weekdays = try Self.parse(fields[4], name: "day-of-week", range: 0...7, names: Self.weekdayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*" && fields[2] != "?"
        dayOfWeekRestricted = fields[4] != "*" && fields[4] != "?"
    }

    /// The first time after `date` (strictly) at which the expression fires.
    public func next(after date: Date) -> Date? {
        let start = date.addingTimeInterval(60 - date.timeIntervalSince1970.truncatingRemainder(dividingBy: 60))
        var day = UTCDay(start)
        var firstDay = true
        for _ in 0..<(366 * 8) {
            if matches(day) {
                let fromMinute = firstDay ? UTCDay.minuteOfDay(start) : 0
                if let minute = firstMinute(atOrAfter: fromMinute) { return day.date(minuteOfDay: minute) }
            }
            day = day.adding(days: 1)
            firstDay = false
        }
        return nil
    }

    /// The last time at or before `date` at which the expression fires.
    public func previous(atOrBefore date: Date) -> Date? {
        var day = UTCDay(date)
        var firstDay = true
        for _ in 0..<(366 * 8) {
            if matches(day) {
                let toMinute = firstDay ? UTCDay.minuteOfDay(date) : 24 * 60 - 1
                if let minute = lastMinute(atOrBefore: toMinute) { return day.date(minuteOfDay: minute) }
            }
            day = day.adding(days: -1)
            firstDay = false
        }
        return nil
    }

    private func matches(_ day: UTCDay) -> Bool {
        guard months.contains(day.month) else { return false }
        let domMatch = daysOfMonth.contains(day.day)
        let dowMatch = daysOfWeek.contains(day.weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return domMatch || dowMatch
        case (true, false): return domMatch
        case (false, true): return dowMatch
        case (false, false): return true
        }
    }

    private func firstMinute(atOrAfter minuteOfDay: Int) -> Int? {
        for hour in hours.sorted() where hour >= minuteOfDay / 60 {
            for minute in minutes.sorted() where hour * 60 + minute >= minuteOfDay { return hour * 60 + minute }
        }
        return nil
    }

    private func lastMinute(atOrBefore minuteOfDay: Int) -> Int? {
        for hour in hours.sorted(by: >) where hour <= minuteOfDay / 60 {
            for minute in minutes.sorted(by: >) where hour * 60 + minute <= minuteOfDay { return hour * 60 + minute }
        }
        return nil
    }

    private static let monthNames = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    private static let weekdayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    private static func parse(_ field: String, name: String, range: ClosedRange<Int>, names: [String: Int]) throws(CronError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw CronError("the \(name) field '\(field)' is not valid")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw CronError("the step '\(pieces[1])' in the \(name) field must be a positive number")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" || base == "?" {
                bounds = range
            } else {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard ends.count <= 2 else { throw CronError("the \(name) field '\(field)' is not valid") }
                let low = try value(ends[0], name: name, range: range, names: names)
                let high = ends.count == 2 ? try value(ends[1], name: name, range: range, names: names) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError("the range '\(base)' in the \(name) field goes backwards") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int]) throws(CronError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard let number = Int(text) else { throw CronError("'\(text)' is not a valid \(name)") }
        guard range.contains(number) else { throw CronError("\(name) \(number) is out of range \(range.lowerBound)-\(range.upperBound)") }
        return number
    }
}

/// A cron expression that cannot be parsed.
public struct CronError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A calendar day in UTC, for stepping through days without time zones.
struct UTCDay {
    /// Days since 1970-01-01.
    let index: Int

    init(_ date: Date) {
        index = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    private init(index: Int) {
        self.index = index
    }

    func adding(days: Int) -> UTCDay { UTCDay(index: index + days) }

    func date(minuteOfDay: Int) -> Date {
        Date(timeIntervalSince1970: Double(index) * 86_400 + Double(minuteOfDay) * 60)
    }

    static func minuteOfDay(_ date: Date) -> Int {
        let seconds = date.timeIntervalSince1970 - (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        return Int(seconds / 60)
    }

    /// 0 = Sunday.
    var weekday: Int { ((index % 7) + 7 + 4) % 7 }

    /// (year, month, day) from the civil-from-days algorithm.
    private var civil: (year: Int, month: Int, day: Int) {
        let z = index + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    var year: Int { civil.year }
    var month: Int { civil.month }
    var day: Int { civil.day }
}
