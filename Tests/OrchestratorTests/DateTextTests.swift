import Foundation
import Testing
import Workflow

@Suite("Dates as the API and DAG files write them")
struct DateTextTests {
    @Test(
        "RFC 3339 date-times and plain dates",
        arguments: [
            ("2026-01-01", 1_767_225_600.0),
            ("2026-01-01T00:00:00Z", 1_767_225_600),
            ("2026-01-01t00:00:00z", 1_767_225_600),
            ("2026-01-01 00:00:00", 1_767_225_600),
            ("2026-01-01T01:30:00+01:30", 1_767_225_600),
            ("2025-12-31T22:00:00-02:00", 1_767_225_600),
            ("2026-01-01T00:00:00.5Z", 1_767_225_600.5),
            ("2026-01-01T00:00:00.123456789+00:00", 1_767_225_600.123456),
            ("2026-01-01T00:00:00+0000", 1_767_225_600),
            ("1970-01-01T00:00:00Z", 0),
            ("0001-01-01T00:00:00Z", -62_135_596_800),
            ("2000-02-29T12:00:00Z", 951_825_600),
            ("2016-12-31T23:59:60Z", 1_483_228_799),
        ]
    )
    func parses(text: String, seconds: Double) throws {
        let date = try #require(DateText.parse(text), "\(text)")
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_002, "\(text): \(date.timeIntervalSince1970)")
    }

    @Test(
        "Anything else is nil",
        arguments: [
            "", "2026", "2026-13-01", "2026-02-30", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+25:00",
            "2026-01-01T00:00:00Zjunk", "2026-1-01", "yesterday", "2026-01-01T00:00", "２０２６-01-01",
        ]
    )
    func refuses(text: String) {
        #expect(DateText.parse(text) == nil, "\(text)")
    }

    @Test("What format writes, parse reads back")
    func roundTrip() throws {
        for seconds in [0.0, 1_767_225_600.123456, -62_135_596_800, 253_402_300_799.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = try #require(DateText.parse(DateText.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_002, "\(DateText.format(date))")
        }
    }
}
