public import Foundation

/// Dates and date-times as DAG files and APIs write them.
public enum DateText {
    /// `2026-01-01` (midnight UTC), or an RFC 3339 date-time — `T`, `t` or a space between date
    /// and time, any fraction of a second (kept to the microsecond), `Z`, `z`, `±HH:MM` or `±HHMM`,
    /// UTC when none — for any year 0000 to 9999. `nil` for anything else, in one pass.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + digits)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        guard index < bytes.count else { return Date(timeIntervalSince1970: seconds) }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + min(second, 59))
        if expect(".") {
            var micros = 0
            var digits = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            seconds += Double(micros) / 1_000_000
        }
        if index == bytes.count || expect("Zz") {
            return index == bytes.count ? Date(timeIntervalSince1970: seconds) : nil
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
        let sign: Double = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        guard let offsetHours = number(2) else { return nil }
        _ = expect(":")
        guard let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60, index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60))
    }

    /// Days from 1970-01-01 to a day of the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// ISO 8601 in UTC with microseconds and `+00:00`, as Airflow writes dates.
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (days, rest) = micros.quotientAndRemainder(dividingBy: 86_400_000_000)
        let dayIndex = rest < 0 ? days - 1 : days
        let microsOfDay = rest < 0 ? rest + 86_400_000_000 : rest
        let day = UTCDay(Date(timeIntervalSince1970: Double(dayIndex) * 86_400))
        let seconds = microsOfDay / 1_000_000
        // Digits by hand: String(format:) goes through the locale machinery, and the orchestrator
        // formats dates for every task and API answer.
        var text = ""
        text.reserveCapacity(32)
        appendDigits(Int64(day.year), count: 4, to: &text)
        text.append("-")
        appendDigits(Int64(day.month), count: 2, to: &text)
        text.append("-")
        appendDigits(Int64(day.day), count: 2, to: &text)
        text.append("T")
        appendDigits(seconds / 3600, count: 2, to: &text)
        text.append(":")
        appendDigits(seconds / 60 % 60, count: 2, to: &text)
        text.append(":")
        appendDigits(seconds % 60, count: 2, to: &text)
        text.append(".")
        appendDigits(microsOfDay % 1_000_000, count: 6, to: &text)
        text.append("+00:00")
        return text
    }

    /// Appends `value` (not negative) with at least `count` digits, zero-padded.
    private static func appendDigits(_ value: Int64, count: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < count { text.append(String(repeating: "0", count: count - digits.count)) }
        text.append(digits)
    }
}
