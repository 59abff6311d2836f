import Foundation
import Hummingbird
import Tracking

extension TrackingUI {
    /// Series colours of overlaid charts, one per compared run.
    static let palette = ["#1c5fd1", "#d1481c", "#1a8f4a", "#8a3fd1", "#c99a06", "#0f8b99", "#c2185b", "#5d6b00"]

    func comparePage(_ request: Request) async throws -> Response {
        let ids = Array(PageQuery(request).all("runs").prefix(Self.palette.count))
        guard ids.count >= 2 else { throw UIError(.badRequest, "Select at least two runs to compare (and at most \(Self.palette.count)).") }
        var runs: [Run] = []
        for id in ids { runs.append(try await store.run(id: id)) }
        let params = Array(Set(runs.flatMap { $0.data.params.map(\.key) })).sorted()
        let metrics = Array(Set(runs.flatMap { $0.data.metrics.map(\.key) })).sorted()
        var values = base()
        values["count"] = runs.count
        values["runs"] = runs.enumerated().map { index, run in
            ["run_id": run.info.runID, "name": run.info.runName.isEmpty ? run.info.runID : run.info.runName, "color": Self.palette[index]]
        }
        values["params"] = params.map { key -> [String: Any] in
            let row = runs.map { run in run.data.params.first { $0.key == key }?.value ?? "—" }
            return ["key": key, "values": row, "differs": Set(row).count > 1]
        }
        var metricRows: [[String: Any]] = []
        for key in metrics {
            let row = runs.map { run in run.data.metrics.first { $0.key == key }.map { MetricChart.format($0.value) } ?? "—" }
            var series: [(color: String, points: [(step: Int64, value: Double)])] = []
            for (index, run) in runs.enumerated() {
                let history = try await store.metricHistory(runID: run.info.runID, key: key, maxResults: 5000, offset: 0).metrics
                series.append((Self.palette[index], history.map { (step: $0.step, value: $0.value) }))
            }
            metricRows.append(["key": key, "values": row, "differs": Set(row).count > 1, "chart": MetricChart.overlay(series)])
        }
        values["metrics"] = metricRows
        return render("compare", values)
    }

    /// Extensions shown inline as text, and as images.
    static let textExtensions: Set<String> = [
        "txt", "json", "yaml", "yml", "csv", "tsv", "md", "log", "py", "sh", "toml", "ini", "cfg", "xml", "html", "mlmodel", "",
    ]
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "gif", "svg", "webp"]
    static let inlineLimit = 512 * 1024

    func artifactPage(_ request: Request, runID: String) async throws -> Response {
        let run = try await store.run(id: runID)
        let relative = try ArtifactPath(PageQuery(request)["path"] ?? "")
        let (repository, root) = try artifacts.locate(run.info.artifactURI)
        let name = relative.description.split(separator: "/").last.map(String.init) ?? relative.description
        let fileExtension =
            name.contains(".") ? (name.split(separator: ".").last.map { $0.lowercased() } ?? "") : (name == "MLmodel" ? "mlmodel" : "")
        let (data, size) = try await repository.prefix(root.appending(relative), limit: Self.inlineLimit)
        var values = base()
        values["run_id"] = runID
        values["path"] = relative.description
        values["name"] = name
        values["size"] = ByteCountFormatter.string(fromByteCount: size, countStyle: .file)
        values["download"] = Self.downloadLink(runID: runID, path: relative.description)
        if Self.imageExtensions.contains(fileExtension), fileExtension != "svg" {
            values["image"] = true
        } else if Self.textExtensions.contains(fileExtension) || fileExtension == "svg" {
            var text = String(decoding: data, as: UTF8.self)
            if fileExtension == "json", let object = try? JSONSerialization.jsonObject(with: data),
                let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            {
                text = String(decoding: pretty, as: UTF8.self)
            }
            values["text"] = text + (size > Int64(data.count) ? "\n… (\(size - Int64(data.count)) more bytes: download the file)" : "")
        } else {
            values["too_large"] = true
        }
        return render("artifact", values)
    }
}

extension MetricChart {
    /// Several runs' histories of one metric on the same axes, one colour per run.
    static func overlay(_ series: [(color: String, points: [(step: Int64, value: Double)])], width: Double = 360, height: Double = 110) -> String {
        let all = series.flatMap(\.points).filter { $0.value.isFinite }
        guard !all.isEmpty else { return "" }
        let steps = all.map { Double($0.step) }
        let values = all.map(\.value)
        let (minStep, maxStep) = (steps.min() ?? 0, steps.max() ?? 1)
        let (minValue, maxValue) = (values.min() ?? 0, values.max() ?? 1)
        let spanX = maxStep > minStep ? maxStep - minStep : 1
        let spanY = maxValue > minValue ? maxValue - minValue : 1
        let pad = 6.0
        func point(_ p: (step: Int64, value: Double)) -> (Double, Double) {
            (pad + (Double(p.step) - minStep) / spanX * (width - 2 * pad), height - pad - (p.value - minValue) / spanY * (height - 2 * pad - 14))
        }
        var parts = [
            "<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='values \(format(minValue))–\(format(maxValue))' width='\(Int(width))' height='\(Int(height))' viewBox='0 0 \(Int(width)) \(Int(height))'>"
        ]
        for line in series {
            let points = line.points.filter { $0.value.isFinite }.map(point)
            if points.count == 1 {
                parts.append("<circle cx='\(points[0].0)' cy='\(points[0].1)' r='4' fill='\(line.color)'/>")
            } else if !points.isEmpty {
                let path = points.enumerated().map {
                    "\($0.offset == 0 ? "M" : "L")\(String(format: "%.1f", $0.element.0)),\(String(format: "%.1f", $0.element.1))"
                }.joined(separator: " ")
                parts.append("<path d='\(path)' fill='none' stroke='\(line.color)' stroke-width='1.8'/>")
            }
        }
        parts.append("<text x='\(pad)' y='12'>\(format(maxValue))</text><text x='\(pad)' y='\(Int(height) - 1)'>\(format(minValue))</text></svg>")
        return parts.joined()
    }
}
