public import Foundation

/// Reads samples from the files the pipeline passes between tasks: the samples service's JSON
/// (`{"samples": [[x, y], …]}`, or a bare `[[x, y], …]`) and CSV (`x,y` rows, header optional).
///
/// JSON is scanned in one pass straight into the two arrays, without building a document tree.
/// Every bad sample is reported by its index, so a validation task can name the rows to fix.
public enum SampleReader {
    /// How many bad samples an error lists before it only counts the rest.
    static let listedProblems = 10

    /// Reads the file at `url`; the format comes from its extension (`.csv`, else JSON).
    public static func read(contentsOf url: URL) throws(TrainingError) -> SampleSet {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TrainingError("cannot read the samples file \(url.path): \(error.localizedDescription)")
        }
        let isCSV = url.pathExtension.lowercased() == "csv"
        do {
            return try isCSV ? parseCSV(data) : parseJSON(data)
        } catch {
            throw TrainingError("\(url.lastPathComponent): \(error.message)")
        }
    }

    /// Parses samples JSON.
    public static func parseJSON(_ data: some Collection<UInt8>) throws(TrainingError) -> SampleSet {
        let scan = { (buffer: UnsafeBufferPointer<UInt8>) -> Result<SampleSet, TrainingError> in
            var scanner = SampleJSONScanner(bytes: buffer, end: buffer.count)
            return Result { () throws(TrainingError) in try scanner.document() }
        }
        let result = data.withContiguousStorageIfAvailable(scan) ?? Array(data).withUnsafeBufferPointer(scan)
        return try result.get()
    }

    /// Parses CSV with two numeric columns. A first line that is not numbers is a header; with a
    /// header, the columns named `x` and `y` are used when present.
    public static func parseCSV(_ data: some Collection<UInt8>) throws(TrainingError) -> SampleSet {
        let text = String(decoding: data, as: UTF8.self)
        var samples = SampleSet()
        var problems = ProblemList()
        var columns = (x: 0, y: 1)
        var sawFirstLine = false
        var lineNumber = 0
        // "\r\n" is one Character, and a newline.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawFirstLine {
                sawFirstLine = true
                if fields.allSatisfy({ Double($0) == nil }) {
                    let names = fields.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                    if let x = names.firstIndex(of: "x"), let y = names.firstIndex(of: "y") { columns = (x, y) }
                    continue
                }
            }
            guard fields.count > max(columns.x, columns.y) else {
                problems.add("line \(lineNumber) has \(fields.count) value\(fields.count == 1 ? "" : "s"), not x and y")
                continue
            }
            switch (Double(fields[columns.x]), Double(fields[columns.y])) {
            case (let x?, let y?) where x.isFinite && y.isFinite:
                samples.append(x: x, y: y)
            case (let x, _):
                let which = x == nil || !(x ?? 0).isFinite ? ("x", fields[columns.x]) : ("y", fields[columns.y])
                problems.add("line \(lineNumber): \(which.0) is '\(which.1)', not a finite number")
            }
        }
        try problems.check(kind: "rows")
        return samples
    }
}

/// The bad samples found so far: the first few in words, and how many in all.
struct ProblemList {
    private(set) var listed: [String] = []
    private(set) var count = 0

    mutating func add(_ problem: String) {
        count += 1
        if listed.count < SampleReader.listedProblems { listed.append(problem) }
    }

    func check(kind: String) throws(TrainingError) {
        guard count > 0 else { return }
        let more = count > listed.count ? "; and \(count - listed.count) more" : ""
        throw TrainingError("\(count) bad \(count == 1 ? String(kind.dropLast()) : kind): \(listed.joined(separator: "; "))\(more)")
    }
}
