import Foundation

/// A metric's history as a small server-side SVG line chart (value by step), with its range as text.
enum MetricChart {
    /// The chart of `points` in step order (the history comes in MLflow's order, by timestamp), the
    /// non-finite values left out.
    static func svg(_ points: [(step: Int64, value: Double)], width: Double = 320, height: Double = 90) -> String {
        let finite = points.enumerated().filter { $0.element.value.isFinite }
            .sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
        guard !finite.isEmpty else { return "" }
        let steps = finite.map { Double($0.step) }
        let values = finite.map(\.value)
        let (minStep, maxStep) = (steps.min() ?? 0, steps.max() ?? 1)
        let (minValue, maxValue) = (values.min() ?? 0, values.max() ?? 1)
        let spanX = maxStep > minStep ? maxStep - minStep : 1
        let spanY = maxValue > minValue ? maxValue - minValue : 1
        let pad = 6.0
        let path = finite.enumerated().map { index, point in
            let x = pad + (Double(point.step) - minStep) / spanX * (width - 2 * pad)
            let y = height - pad - (point.value - minValue) / spanY * (height - 2 * pad - 14)
            return "\(index == 0 ? "M" : "L")\(String(format: "%.1f", x)),\(String(format: "%.1f", y))"
        }.joined(separator: " ")
        let label = "steps \(Int64(minStep))–\(Int64(maxStep)), values \(format(minValue))–\(format(maxValue))"
        return
            "<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='\(label)' width='\(Int(width))' height='\(Int(height))' viewBox='0 0 \(Int(width)) \(Int(height))'>"
            + "<title>\(label)</title><path d='\(path)' fill='none' stroke='#1c5fd1' stroke-width='1.8'/>"
            + (finite.count == 1 ? "<circle cx='\(pad)' cy='\(height - pad)' r='3.5' fill='#1c5fd1'/>" : "")
            + "<text x='\(pad)' y='12'>\(format(maxValue))</text><text x='\(pad)' y='\(Int(height) - 1)'>\(format(minValue))</text></svg>"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6g", value)
    }
}
