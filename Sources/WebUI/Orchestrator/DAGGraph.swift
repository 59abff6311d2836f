import Foundation
import Workflow

/// The graph view: tasks in columns by depth (longest path from a root), edges from upstream to
/// downstream, each box coloured by its state in the selected run. Server-side SVG; task ids are
/// escaped.
enum DAGGraph {
    static let boxWidth = 170.0, boxHeight = 34.0, columnGap = 60.0, rowGap = 18.0, margin = 10.0

    static func svg(_ dag: DAG, states: [String: String], link: (String) -> String?) -> String {
        var depth: [String: Int] = [:]
        func depthOf(_ taskID: String, _ seen: Set<String> = []) -> Int {
            if let known = depth[taskID] { return known }
            let upstream = dag.task(taskID)?.upstream ?? []
            let value = upstream.filter { !seen.contains($0) }.map { depthOf($0, seen.union([taskID])) + 1 }.max() ?? 0
            depth[taskID] = value
            return value
        }
        var columns: [[String]] = []
        for task in dag.tasks {
            let column = depthOf(task.taskID)
            while columns.count <= column { columns.append([]) }
            columns[column].append(task.taskID)
        }
        var position: [String: (x: Double, y: Double)] = [:]
        for (index, column) in columns.enumerated() {
            for (row, taskID) in column.enumerated() {
                position[taskID] = (margin + Double(index) * (boxWidth + columnGap), margin + Double(row) * (boxHeight + rowGap))
            }
        }
        let width = margin * 2 + Double(max(columns.count, 1)) * (boxWidth + columnGap) - columnGap
        let height = margin * 2 + Double(max(columns.map(\.count).max() ?? 1, 1)) * (boxHeight + rowGap) - rowGap
        var parts = [
            "<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='Graph of \(escape(dag.dagID))' width='\(Int(width))' height='\(Int(height))' viewBox='0 0 \(Int(width)) \(Int(height))'>"
        ]
        for task in dag.tasks {
            guard let to = position[task.taskID] else { continue }
            for upstream in task.upstream {
                guard let from = position[upstream] else { continue }
                let x1 = from.x + boxWidth
                let y1 = from.y + boxHeight / 2
                let x2 = to.x
                let y2 = to.y + boxHeight / 2
                let middle = (x1 + x2) / 2
                parts.append("<path d='M\(x1),\(y1) C\(middle),\(y1) \(middle),\(y2) \(x2),\(y2)' fill='none' stroke='#8a93a3' stroke-width='1.5'/>")
            }
        }
        for task in dag.tasks {
            guard let at = position[task.taskID] else { continue }
            let state = states[task.taskID] ?? "none"
            let box =
                "<rect data-state='\(escape(state))' x='\(at.x)' y='\(at.y)' width='\(boxWidth)' height='\(boxHeight)' rx='6' fill='\(fill(state))' stroke='#5b6474'/>"
            let label = "<text x='\(at.x + 10)' y='\(at.y + 21)' fill='#111'>\(escape(String(task.taskID.prefix(22))))</text>"
            let title = "<title>\(escape(task.taskID)) (\(escape(task.operatorName))): \(escape(state))</title>"
            if let href = link(task.taskID) {
                parts.append("<a href='\(escape(href))'>\(title)\(box)\(label)</a>")
            } else {
                parts.append("<g>\(title)\(box)\(label)</g>")
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    static func fill(_ state: String) -> String {
        switch state {
        case "success": "#7fd17f"
        case "failed": "#ff8080"
        case "running": "#8ff5b8"
        case "queued": "#c8c8c8"
        case "scheduled": "#e8d4b4"
        case "up_for_retry": "#ffe680"
        case "upstream_failed": "#ffc966"
        case "skipped": "#ffb3d9"
        default: "#ffffff"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
