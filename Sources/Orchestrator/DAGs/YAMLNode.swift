import Foundation
import JSON
import Yams

/// A node of a DAG file with its position, and typed reads that fail with a message saying what
/// the field should be and where it is.
struct YAMLNode {
    let node: Node

    var mark: Mark? { node.mark }

    func problem(_ message: String) -> DAGFileError.Problem {
        DAGFileError.Problem(message, line: mark?.line, column: mark?.column)
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The pairs of a mapping, keys as strings; repeated keys are an error.
    func mapping(_ what: String) throws(DAGFileError.Problem) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw problem("\(what) must be a mapping of names to values, not \(kind)") }
        var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw YAMLNode(node: key).problem("keys of \(what) must be plain names") }
            if pairs.contains(where: { $0.key == scalar.string }) {
                throw YAMLNode(node: key).problem("'\(scalar.string)' appears twice in \(what)")
            }
            pairs.append((scalar.string, YAMLNode(node: key), YAMLNode(node: value)))
        }
        return pairs
    }

    func sequence(_ what: String) throws(DAGFileError.Problem) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw problem("\(what) must be a list, not \(kind)") }
        return sequence.map { YAMLNode(node: $0) }
    }

    func string(_ what: String) throws(DAGFileError.Problem) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw problem("\(what) must be text, not \(kind)") }
        return scalar.string
    }

    /// A list of strings, or one string meaning a list of one.
    func strings(_ what: String) throws(DAGFileError.Problem) -> [String] {
        if isNull { return [] }
        if case .scalar = node { return [try string(what)] }
        var values: [String] = []
        for element in try sequence(what) { values.append(try element.string("each item of \(what)")) }
        return values
    }

    func bool(_ what: String) throws(DAGFileError.Problem) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw problem("\(what) must be true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem("\(what) must be true or false, not '\(scalar.string)'")
        }
    }

    func integer(_ what: String, in range: ClosedRange<Int>) throws(DAGFileError.Problem) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            throw problem("\(what) must be a whole number")
        }
        guard range.contains(value) else { throw problem("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
        return value
    }

    func number(_ what: String) throws(DAGFileError.Problem) -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Double(scalar.string), value.isFinite else {
            throw problem("\(what) must be a number")
        }
        return value
    }

    func duration(_ what: String) throws(DAGFileError.Problem) -> Duration {
        do {
            return try DurationText.parse(try string(what))
        } catch let failure {
            throw problem("\(what): \(failure.message)")
        }
    }

    /// A date (`2026-01-01`, UTC) or date-time (`2026-01-01T06:00:00+02:00`; UTC when no offset).
    func date(_ what: String) throws(DAGFileError.Problem) -> Date {
        let text = try string(what)
        guard let date = DateText.parse(text) else {
            throw problem("\(what) '\(text)' is not a date; write 2026-01-01 or 2026-01-01T06:00:00Z")
        }
        return date
    }

    /// The node as JSON: plain scalars become numbers, booleans and null where YAML reads them so.
    func json() throws(DAGFileError.Problem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if isNull { return .null }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let integer = Int(scalar.string) { return .integer(integer) }
            if let number = Double(scalar.string), number.isFinite, scalar.string.contains(where: \.isNumber) {
                return .number(JSONNumber(literal: scalar.string, doubleValue: number, isIntegerLiteral: false))
            }
            return .string(scalar.string)
        case .mapping:
            var object: [String: JSONValue] = [:]
            for pair in try mapping("this mapping") { object[pair.key] = try pair.value.json() }
            return .object(object)
        case .sequence(let sequence):
            var array: [JSONValue] = []
            for element in sequence { array.append(try YAMLNode(node: element).json()) }
            return .array(array)
        case .alias:
            throw problem("YAML aliases (*name) are not supported in DAG files; write the value out")
        }
    }

    private var kind: String {
        switch node {
        case .scalar: isNull ? "empty" : "'\(node.scalar?.string ?? "")'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

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
            var micros = 0, digits = 0
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
        return String(
            format: "%04d-%02d-%02dT%02lld:%02lld:%02lld.%06lld+00:00",
            day.year, day.month, day.day, seconds / 3600, seconds / 60 % 60, seconds % 60, microsOfDay % 1_000_000
        )
    }
}
