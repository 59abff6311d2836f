import Foundation
import Testing

@testable import Workflow

@Suite("Schedules")
struct ScheduleTests {
    func date(_ text: String) throws -> Date { try #require(DateText.parse(text)) }

    @Test("Cron fires at the next matching minute, across hours, months and leap days")
    func cronNext() throws {
        let everyQuarter = try CronExpression("*/15 * * * *")
        #expect(everyQuarter.next(after: try date("2026-03-01T10:07:30Z")) == (try date("2026-03-01T10:15:00Z")))
        #expect(everyQuarter.next(after: try date("2026-03-01T10:45:00Z")) == (try date("2026-03-01T11:00:00Z")))
        let monthEnd = try CronExpression("0 6 31 * *")
        #expect(monthEnd.next(after: try date("2026-04-01T00:00:00Z")) == (try date("2026-05-31T06:00:00Z")))
        let leap = try CronExpression("0 0 29 2 *")
        #expect(leap.next(after: try date("2026-03-01T00:00:00Z")) == (try date("2028-02-29T00:00:00Z")))
        let newYear = try CronExpression("59 23 31 12 *")
        #expect(newYear.next(after: try date("2026-12-31T23:59:00Z")) == (try date("2027-12-31T23:59:00Z")))
    }

    @Test("Day of month and day of week are OR-ed when both are restricted; names and 7 work")
    func cronDays() throws {
        // 2026-11-01 is a Sunday.
        let cron = try CronExpression("0 0 13 * fri")
        #expect(cron.next(after: try date("2026-11-01T00:00:00Z")) == (try date("2026-11-06T00:00:00Z")))
        #expect(cron.next(after: try date("2026-11-10T00:00:00Z")) == (try date("2026-11-13T00:00:00Z")))
        #expect(try CronExpression("0 0 * * 7").next(after: try date("2026-11-02T00:00:00Z")) == (try date("2026-11-08T00:00:00Z")))
        #expect(try CronExpression("30 9 * jan-mar mon-fri").next(after: try date("2026-11-01T00:00:00Z")) == (try date("2027-01-01T09:30:00Z")))
    }

    @Test("previous(atOrBefore:) is the inverse of next(after:)")
    func cronPrevious() throws {
        let cron = try CronExpression("0 */6 * * *")
        #expect(cron.previous(atOrBefore: try date("2026-11-25T05:59:00Z")) == (try date("2026-11-25T00:00:00Z")))
        #expect(cron.previous(atOrBefore: try date("2026-11-25T06:00:00Z")) == (try date("2026-11-25T06:00:00Z")))
        #expect(cron.previous(atOrBefore: try date("2026-03-01T03:00:00Z")) == (try date("2026-03-01T00:00:00Z")))
        #expect(try CronExpression("0 0 1 * *").previous(atOrBefore: try date("2026-03-15T00:00:00Z")) == (try date("2026-03-01T00:00:00Z")))
    }

    @Test(
        "Bad cron expressions say which field is wrong",
        arguments: [
            ("* * * *", "5 fields"), ("60 * * * *", "minute 60"), ("* 24 * * *", "hour 24"), ("* * 0 * *", "day-of-month 0"),
            ("* * * 13 *", "month 13"), ("* * * * 8", "day-of-week 8"), ("*/0 * * * *", "positive"), ("5-1 * * * *", "backwards"),
            ("a * * * *", "'a'"),
        ]
    )
    func badCron(text: String, message: String) {
        #expect(throws: CronError.self) { try CronExpression(text) }
        do {
            _ = try CronExpression(text)
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("Presets, intervals and @once")
    func presets() throws {
        #expect(try Schedule.parse("@hourly") == .cron(try CronExpression("0 * * * *"), preset: "@hourly"))
        #expect(try Schedule.parse("@weekly").description == "@weekly")
        #expect(try Schedule.parse("every 30m") == .every(.seconds(1800)))
        #expect(try Schedule.parse("@once") == .once)
        #expect(throws: DAGFileError.Problem.self) { try Schedule.parse("every 0s") }
    }

    /// The presets `@daily` and `@midnight` (and `@yearly` and `@annually`) name one expression;
    /// the name shown was once picked from an unordered dictionary, differently on each start.
    @Test(
        "A schedule reads as its DAG file wrote it: presets by their own name, cron expressions as cron",
        arguments: [
            "@daily", "@midnight", "0 0 * * *", "@yearly", "@annually", "0 0 1 1 *", "@hourly", "0 * * * *", "@weekly", "@monthly",
            "@once", "every 30m", "*/15 6-18 * * mon-fri",
        ]
    )
    func writtenAsIs(text: String) throws {
        #expect(try Schedule.parse(text).description == text)
    }

    @Test("Presets that name one expression fire at the same times")
    func synonymousPresets() throws {
        let start = try date("2026-01-01T10:00:00Z")
        for names in [["@daily", "@midnight", "0 0 * * *"], ["@yearly", "@annually", "0 0 1 1 *"]] {
            let intervals = try names.map { try Schedule.parse($0).interval(startingAtOrAfter: start) }
            #expect(intervals[0] != nil && intervals.allSatisfy { $0 == intervals[0] }, "\(names): \(intervals)")
        }
    }

    @Test("Daily data intervals: the run for a day starts when the day ends")
    func dailyIntervals() throws {
        let daily = try Schedule.parse("@daily")
        let first = try #require(daily.interval(startingAtOrAfter: try date("2026-01-01")))
        #expect(first == DataInterval(start: try date("2026-01-01"), end: try date("2026-01-02")))
        #expect(daily.interval(after: first) == DataInterval(start: try date("2026-01-02"), end: try date("2026-01-03")))
        // Without catchup only the latest complete interval runs.
        let latest = daily.latestCompleteInterval(before: try date("2026-11-25T10:00:00Z"), origin: try date("2026-01-01"))
        #expect(latest == DataInterval(start: try date("2026-11-24"), end: try date("2026-11-25")))
        // Month boundary.
        let monthly = try Schedule.parse("@monthly")
        #expect(
            monthly.interval(startingAtOrAfter: try date("2026-01-31T12:00:00Z"))
                == DataInterval(start: try date("2026-02-01"), end: try date("2026-03-01"))
        )
    }

    @Test("Fixed intervals count from the start date")
    func everyIntervals() throws {
        let every = try Schedule.parse("every 30m")
        let origin = try date("2026-01-01T00:00:00Z")
        #expect(
            every.latestCompleteInterval(before: try date("2026-01-01T01:10:00Z"), origin: origin)
                == DataInterval(start: try date("2026-01-01T00:30:00Z"), end: try date("2026-01-01T01:00:00Z"))
        )
        #expect(every.latestCompleteInterval(before: try date("2026-01-01T00:10:00Z"), origin: origin) == nil)
    }

    @Test("Durations")
    func durations() throws {
        #expect(try DurationText.parse("1h30m") == .seconds(5400))
        #expect(try DurationText.parse("500ms") == .milliseconds(500))
        #expect(try DurationText.parse("90") == .seconds(90))
        #expect(try DurationText.parse("2d") == .seconds(172_800))
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        for bad in ["", "5 minutes", "1x", "m", "-5s"] {
            #expect(throws: DAGFileError.Problem.self, "\(bad)") { try DurationText.parse(bad) }
        }
    }
}
