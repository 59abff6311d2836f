import Foundation
import JSON

/// The x values of a scoring request, in the shapes MLflow's scoring server takes:
/// JSON `{"inputs": …}`, `{"instances": …}` (a list of numbers, of one-number rows, of records, or
/// `{"x": [...]}`), `{"dataframe_split": {"columns": [...], "data": [[...]]}}`,
/// `{"dataframe_records": [{"x": …}]}`; or CSV with a header.
enum ScoringInput {
    /// The largest body taken (about 1.5 million values as JSON).
    static let maximumBodySize = 32 * 1024 * 1024

    static func values(body: [UInt8], contentType: String?) throws(ScoringError) -> [Double] {
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? "application/json"
        switch type {
        case "text/csv": return try csv(String(decoding: body, as: UTF8.self))
        case "application/json": break
        default: throw .badRequest("This predictor only supports the following content types: application/json, text/csv. Got '\(type)'.")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw .badRequest("Failed to parse the request body as JSON: \(error)")
        }
        guard case .object(let fields) = document else {
            throw .badRequest("The request body must be a JSON object with one of the keys: inputs, instances, dataframe_split, dataframe_records.")
        }
        let formats = ["inputs", "instances", "dataframe_split", "dataframe_records"].filter { fields[$0] != nil }
        guard formats.count == 1, let format = formats.first, let payload = fields[format] else {
            throw .badRequest(
                "The request body must have exactly one of the keys: inputs, instances, dataframe_split, dataframe_records (it has: \(fields.keys.sorted().joined(separator: ", ")))."
            )
        }
        switch format {
        case "dataframe_split": return try split(payload)
        case "dataframe_records": return try records(payload.array, what: "dataframe_records")
        default: return try tensor(payload, what: format)
        }
    }

    /// `inputs`/`instances`: `[0.5, 1]`, `[[0.5], [1]]`, `[{"x": 0.5}]` or `{"x": [0.5, 1]}`.
    private static func tensor(_ payload: JSONValue, what: String) throws(ScoringError) -> [Double] {
        switch payload {
        case .object(let columns):
            let (_, column) = try pickColumn(Array(columns.keys), what: what)
            return try numbers(columns[column]?.array ?? [], what: "\(what).\(column)")
        case .array(let items):
            if case .object? = items.first { return try records(items, what: what) }
            var values: [Double] = []
            values.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if case .array(let row) = item {
                    guard row.count == 1 else { throw .badRequest("\(what)[\(index)] has \(row.count) values; the model takes one feature, x") }
                    values.append(try number(row[0], at: "\(what)[\(index)][0]"))
                } else {
                    values.append(try number(item, at: "\(what)[\(index)]"))
                }
            }
            return values
        default:
            return [try number(payload, at: what)]
        }
    }

    private static func split(_ payload: JSONValue) throws(ScoringError) -> [Double] {
        let rows = payload["data"]?.array ?? []
        guard payload["data"] != nil else { throw .badRequest("dataframe_split needs 'data': a list of rows") }
        let names = payload["columns"]?.array.compactMap(\.string) ?? []
        let column = names.isEmpty ? 0 : try pickColumn(names, what: "dataframe_split").index
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            let cells = row.array
            guard column < cells.count else { throw .badRequest("dataframe_split.data[\(index)] has no value for column \(column)") }
            values.append(try number(cells[column], at: "dataframe_split.data[\(index)][\(column)]"))
        }
        return values
    }

    private static func records(_ rows: [JSONValue], what: String) throws(ScoringError) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            guard case .object(let fields) = row else { throw .badRequest("\(what)[\(index)] must be an object like {\"x\": 0.5}") }
            let (_, column) = try pickColumn(Array(fields.keys), what: "\(what)[\(index)]")
            values.append(try number(fields[column] ?? .null, at: "\(what)[\(index)].\(column)"))
        }
        return values
    }

    private static func csv(_ text: String) throws(ScoringError) -> [Double] {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw .badRequest("The CSV body is empty") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        let column = try pickColumn(header, what: "the CSV header").index
        var values: [Double] = []
        for (index, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard column < cells.count, let value = Double(cells[column].trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw .badRequest("CSV row \(index + 1) has no finite number in column '\(header[column])'")
            }
            values.append(value)
        }
        return values
    }

    /// The one column to read: the only one, or the one called `x`.
    private static func pickColumn(_ names: [String], what: String) throws(ScoringError) -> (index: Int, name: String) {
        if names.count == 1 { return (0, names[0]) }
        if let index = names.firstIndex(of: "x") { return (index, "x") }
        throw .badRequest("\(what) has columns \(names.sorted()); the model takes one feature, named x")
    }

    private static func numbers(_ items: [JSONValue], what: String) throws(ScoringError) -> [Double] {
        var values: [Double] = []
        for (index, item) in items.enumerated() { values.append(try number(item, at: "\(what)[\(index)]")) }
        return values
    }

    private static func number(_ value: JSONValue, at location: String) throws(ScoringError) -> Double {
        guard case .number(let number) = value else { throw .badRequest("\(location) is \(value.typeName), not a number") }
        guard number.doubleValue.isFinite else { throw .badRequest("\(location) is \(number.literal), not a finite number") }
        return number.doubleValue
    }
}
