import Foundation

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
