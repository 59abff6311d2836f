import Foundation
import JSON
import Yams

/// Reads DAG files: YAML in Flowline's DAG format (see docs/orchestrator.md).
public enum DAGFileParser {
    /// Files larger than this are refused.
    public static let maximumFileSize = 1 << 20

    static let dagKeys: Set<String> = [
        "dag_id", "description", "schedule", "start_date", "end_date", "catchup", "max_active_runs",
        "max_active_tasks", "paused", "tags", "params", "strict_params", "default_args", "tasks", "doc_md",
    ]
    static let defaultArgKeys: Set<String> = [
        "owner", "retries", "retry_delay", "retry_exponential_backoff", "max_retry_delay", "execution_timeout", "env", "trigger_rule",
        "queue",
    ]
    static let commonTaskKeys: Set<String> = defaultArgKeys.union(["id", "operator", "upstream", "doc"]).union(taskDataKeys)

    /// Parses the DAG file `text`, named `file` (relative to the DAGs folder).
    public static func parse(_ text: String, file: String) -> Result<DAG, DAGFileError> {
        do {
            return .success(try parseDAG(text, file: file))
        } catch {
            return .failure(DAGFileError(file: file, line: error.line, column: error.column, message: error.message))
        }
    }

    private static func parseDAG(_ text: String, file: String) throws(DAGFileError.Problem) -> DAG {
        guard text.utf8.count <= maximumFileSize else {
            throw .init("the file is larger than \(maximumFileSize / 1024) KiB; DAG files describe tasks, keep data elsewhere")
        }
        if let problem = nestingProblem(text) { throw problem }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw DAGFileError.Problem("the file is empty; a DAG needs at least 'tasks'") }
            root = composed
        } catch let problem as DAGFileError.Problem {
            throw problem
        } catch let error as YamlError {
            throw yamlProblem(error)
        } catch {
            throw .init("not valid YAML: \(error)")
        }
        if let problem = sizeProblem(root) { throw problem }
        let document = YAMLNode(node: root)
        let fields = try document.mapping("a DAG file")
        for field in fields where !dagKeys.contains(field.key) {
            throw field.keyNode.problem("unknown key '\(field.key)'\(suggestion(field.key, dagKeys))")
        }
        func field(_ key: String) -> YAMLNode? { fields.first { $0.key == key }.flatMap { $0.value.isNull ? nil : $0.value } }

        let fileStem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let dagID = try field("dag_id")?.string("dag_id") ?? fileStem
        try checkIdentifier(dagID, what: "dag_id", at: field("dag_id") ?? document)

        var defaults = TaskDefaults()
        if let node = field("default_args") { try defaults.read(node, what: "default_args") }

        var params: [Param] = []
        if let node = field("params") {
            for pair in try node.mapping("params") { params.append(try param(pair.key, pair.value)) }
        }

        guard let tasksNode = fields.first(where: { $0.key == "tasks" })?.value else {
            throw document.problem("the DAG has no 'tasks'; add a list of tasks, each with an 'id' and an 'operator'")
        }
        var tasks: [TaskDefinition] = []
        for taskNode in try tasksNode.sequence("tasks") {
            let task = try taskDefinition(taskNode, defaults: defaults)
            if tasks.contains(where: { $0.taskID == task.taskID }) {
                throw taskNode.problem("two tasks have the id '\(task.taskID)'; task ids must be unique in a DAG")
            }
            tasks.append(task)
        }
        guard !tasks.isEmpty else { throw tasksNode.problem("'tasks' is empty; a DAG needs at least one task") }
        try checkUpstream(tasks, nodes: try tasksNode.sequence("tasks"))
        try checkInputs(tasks, nodes: try tasksNode.sequence("tasks"))

        let startDate = try field("start_date")?.date("start_date")
        let endDate = try field("end_date")?.date("end_date")
        if let startDate, let endDate, endDate < startDate {
            throw (field("end_date") ?? document).problem("end_date is before start_date")
        }
        var schedule: Schedule?
        if let node = field("schedule") {
            do {
                schedule = try Schedule.parse(try node.string("schedule"))
            } catch let problem {
                throw node.problem(problem.message)
            }
        }
        return DAG(
            dagID: dagID,
            description: try field("description")?.string("description"),
            schedule: schedule,
            startDate: startDate,
            endDate: endDate,
            catchup: try field("catchup")?.bool("catchup") ?? false,
            maxActiveRuns: try field("max_active_runs")?.integer("max_active_runs", in: 1...1000) ?? 16,
            maxActiveTasks: try field("max_active_tasks")?.integer("max_active_tasks", in: 1...10_000) ?? 16,
            pausedUponCreation: try field("paused")?.bool("paused") ?? false,
            tags: try field("tags")?.strings("tags") ?? [],
            params: params,
            tasks: tasks,
            fileLocation: file,
            strictParams: try field("strict_params")?.bool("strict_params") ?? false
        )
    }

    private static func param(_ name: String, _ node: YAMLNode) throws(DAGFileError.Problem) -> Param {
        // `n: 3` is a param with a default and no schema; `n: {type: integer, default: 3}` has both.
        guard case .mapping = node.node, let object = try? node.json(), case .object(var keywords) = object,
            keywords.keys.contains(where: { ParamSchema.keywords.contains($0) || $0 == "default" || $0 == "description" }) || keywords.isEmpty
        else {
            return Param(name: name, defaultValue: try node.json(), description: nil, schema: ParamSchema([:]))
        }
        let defaultValue = keywords.removeValue(forKey: "default")
        let description: String? = if case .string(let text)? = keywords.removeValue(forKey: "description") { text } else { nil }
        keywords.removeValue(forKey: "title")
        for pair in try node.mapping("param '\(name)'")
        where !["default", "description", "title"].contains(pair.key) && !ParamSchema.keywords.contains(pair.key) {
            throw pair.keyNode.problem(
                "unknown key '\(pair.key)' in param '\(name)'\(suggestion(pair.key, ParamSchema.keywords.union(["default", "description", "title"])))"
            )
        }
        let schema = ParamSchema(keywords)
        if let problem = schema.problems().first { throw node.problem("param '\(name)': \(problem)") }
        if let defaultValue, let problem = schema.check(defaultValue) {
            throw node.problem("the default of param '\(name)' does not fit its own schema: \(problem)")
        }
        return Param(name: name, defaultValue: defaultValue, description: description, schema: schema)
    }

    private static func taskDefinition(_ node: YAMLNode, defaults: TaskDefaults) throws(DAGFileError.Problem) -> TaskDefinition {
        let fields = try node.mapping("a task")
        func field(_ key: String) -> YAMLNode? { fields.first { $0.key == key }.flatMap { $0.value.isNull ? nil : $0.value } }
        guard let idNode = field("id") else { throw node.problem("a task needs an 'id'") }
        let taskID = try idNode.string("the task id")
        try checkIdentifier(taskID, what: "task id", at: idNode)
        guard let operatorNode = field("operator") else { throw node.problem("task '\(taskID)' needs an 'operator' (\(operatorNames))") }
        let operatorName = try operatorNode.string("operator")
        guard let type = OperatorCatalog.named(operatorName) else {
            throw operatorNode.problem(
                "unknown operator '\(operatorName)'\(suggestion(operatorName, Set(OperatorCatalog.all.map { $0.name }))); use one of \(operatorNames)"
            )
        }
        var settings: [String: JSONValue] = [:]
        for pair in fields where !commonTaskKeys.contains(pair.key) {
            guard type.settings.contains(pair.key) else {
                throw pair.keyNode.problem(
                    "unknown key '\(pair.key)' for a \(operatorName) task\(suggestion(pair.key, type.settings.union(commonTaskKeys)))"
                )
            }
            settings[pair.key] = try pair.value.json()
        }
        for required in type.requiredSettings.sorted() where settings[required] == nil || settings[required] == .null {
            throw node.problem("\(operatorName) task '\(taskID)' needs '\(required)'")
        }
        if let problem = type.validate(settings) { throw node.problem("task '\(taskID)': \(problem)") }
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            if let problem = TemplateRenderer.problem(in: value) { throw (field(key) ?? node).problem("task '\(taskID)', \(key): \(problem)") }
        }
        for (key, embedding) in type.templateEmbeddings.sorted(by: { $0.key < $1.key }) {
            guard let value = settings[key], let problem = embedding.problem(in: value, setting: key) else { continue }
            throw (field(key) ?? node).problem("task '\(taskID)': \(problem)")
        }
        var task = defaults
        try task.read(node, what: "task '\(taskID)'", ignoring: true)
        return TaskDefinition(
            taskID: taskID,
            operatorName: operatorName,
            arguments: settings,
            upstream: try field("upstream")?.strings("upstream") ?? [],
            triggerRule: task.triggerRule,
            owner: task.owner,
            retries: task.retries,
            retryDelay: task.retryDelay,
            retryExponentialBackoff: task.backoff,
            maxRetryDelay: task.maxRetryDelay,
            executionTimeout: task.executionTimeout,
            environment: task.environment,
            location: node.mark.map { "\($0.line):\($0.column)" } ?? "",
            queue: task.queue,
            outputs: try outputs(field("outputs"), taskID: taskID),
            inputs: try inputs(field("inputs"), taskID: taskID)
        )
    }

    private static func checkUpstream(_ tasks: [TaskDefinition], nodes: [YAMLNode]) throws(DAGFileError.Problem) {
        let ids = Set(tasks.map(\.taskID))
        for (task, node) in zip(tasks, nodes) {
            for upstream in task.upstream where !ids.contains(upstream) {
                throw node.problem("task '\(task.taskID)' has upstream '\(upstream)', which is not a task of this DAG\(suggestion(upstream, ids))")
            }
            if task.upstream.contains(task.taskID) { throw node.problem("task '\(task.taskID)' lists itself as upstream") }
        }
        if let cycle = findCycle(tasks) {
            let node = zip(tasks, nodes).first { $0.0.taskID == cycle[0] }?.1
            throw (node ?? nodes[0]).problem("the tasks form a cycle: \(cycle.joined(separator: " → "))")
        }
    }

    /// A cycle of task ids (first repeated at the end), or `nil`. Iterative (Kahn's algorithm), so
    /// a DAG of many thousands of tasks in a chain cannot exhaust the stack.
    static func findCycle(_ tasks: [TaskDefinition]) -> [String]? {
        var upstream: [String: [String]] = [:]
        for task in tasks where upstream[task.taskID] == nil { upstream[task.taskID] = task.upstream }
        var remaining = upstream.mapValues { Set($0).count }
        var downstream: [String: [String]] = [:]
        for (id, parents) in upstream {
            for parent in Set(parents) { downstream[parent, default: []].append(id) }
        }
        var ready = remaining.filter { $0.value == 0 }.map(\.key)
        while let id = ready.popLast() {
            remaining.removeValue(forKey: id)
            for child in downstream[id] ?? [] {
                guard let count = remaining[child] else { continue }
                remaining[child] = count - 1
                if count == 1 { ready.append(child) }
            }
        }
        // Every task left waits on another task left: walk upstream edges until one repeats.
        guard let first = tasks.map(\.taskID).first(where: { remaining[$0] != nil }) else { return nil }
        var path = [first]
        var seen: [String: Int] = [first: 0]
        var current = first
        while let next = upstream[current]?.first(where: { remaining[$0] != nil }) {
            if let start = seen[next] {
                // The path follows upstream edges; reversed, it reads in the order the tasks would run.
                return (Array(path[start...]) + [next]).reversed()
            }
            seen[next] = path.count
            path.append(next)
            current = next
        }
        return nil
    }

    /// The most values (scalars, lists and mappings) a DAG file may hold, YAML aliases expanded.
    static let maximumValues = 100_000

    /// Refuses a file that holds more values than ``maximumValues`` once aliases repeat what they
    /// name (a few lines of nested aliases can name billions), counting without recursion and
    /// stopping at the limit.
    static func sizeProblem(_ root: Node) -> DAGFileError.Problem? {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            guard count <= maximumValues else {
                return .init(
                    "the file holds more than \(maximumValues) values once its YAML aliases are expanded; write the values out, and keep data out of DAG files"
                )
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            default:
                continue
            }
        }
        return nil
    }

    /// The deepest nesting a DAG file may have, in brackets or indentation.
    static let maximumNesting = 64

    /// Refuses absurdly deep nesting before the YAML reader (whose node tree is recursive) sees it.
    static func nestingProblem(_ text: String) -> DAGFileError.Problem? {
        var depth = 0
        var line = 1
        var column = 0
        var indentation = 0
        var atLineStart = true
        var quote: UInt8?
        // A quote starts a quoted scalar only where a value starts (`it's` is plain text).
        var previous: UInt8 = UInt8(ascii: " ")
        for byte in text.utf8 {
            defer { previous = byte }
            column += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
                indentation = 0
                atLineStart = true
                continue
            }
            if atLineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") {
                    indentation += 1
                    if indentation > maximumNesting * 8 {
                        return .init(
                            "the file nests deeper than a DAG needs (indentation past \(maximumNesting * 8) columns)",
                            line: line,
                            column: column
                        )
                    }
                    continue
                }
                atLineStart = false
            }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where " \t\n:[{,-".utf8.contains(previous), UInt8(ascii: "'") where " \t\n:[{,-".utf8.contains(previous):
                // A quote starts a quoted scalar only where a scalar starts; `a"b` is plain text.
                quote = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumNesting {
                    return .init("the file nests deeper than \(maximumNesting) levels of brackets", line: line, column: column)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    private static func checkIdentifier(_ id: String, what: String, at node: YAMLNode) throws(DAGFileError.Problem) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
        guard !id.isEmpty, id.count <= 250, id.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            throw node.problem("\(what) '\(id)' may contain only letters, digits, '_', '-' and '.' (at most 250)")
        }
        // Folder names are made of ids (workspaces, logs, checkouts).
        guard id != ".", id != ".." else { throw node.problem("\(what) '\(id)' cannot be '.' or '..'; name it") }
    }

    private static var operatorNames: String { OperatorCatalog.all.map { $0.name }.joined(separator: ", ") }

    private static func yamlProblem(_ error: YamlError) -> DAGFileError.Problem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) … " } ?? ""
            return .init("not valid YAML: \(detail)\(problem)", line: mark.line, column: mark.column)
        case .reader(let problem, _, _, _):
            return .init("not valid YAML text: \(problem)")
        default:
            return .init("not valid YAML: \(error)")
        }
    }

    /// `"; did you mean 'schedule'?"` when `word` is close to a known name.
    static func suggestion(_ word: String, _ candidates: Set<String>) -> String {
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(word.lowercased(), candidate)
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(2, word.count / 3) else { return "" }
        return "; did you mean '\(best.name)'?"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// The task settings that `default_args` gives and a task may override.
struct TaskDefaults {
    var owner = "airflow"
    var retries = 0
    var retryDelay: Duration = .seconds(300)
    var backoff = 0.0
    var maxRetryDelay: Duration?
    var executionTimeout: Duration?
    var environment: [String: String] = [:]
    var triggerRule = TriggerRule.allSuccess
    var queue = TaskDefinition.defaultQueue

    /// Applies the settings found in `node`; `ignoring` skips keys that are not task defaults.
    mutating func read(_ node: YAMLNode, what: String, ignoring: Bool = false) throws(DAGFileError.Problem) {
        for pair in try node.mapping(what) {
            let value = pair.value
            switch pair.key {
            case "owner": owner = try value.string("owner")
            case "retries": retries = try value.integer("retries", in: 0...1000)
            case "retry_delay": retryDelay = try value.duration("retry_delay")
            case "max_retry_delay": maxRetryDelay = value.isNull ? nil : try value.duration("max_retry_delay")
            case "execution_timeout": executionTimeout = value.isNull ? nil : try value.duration("execution_timeout")
            case "retry_exponential_backoff":
                if case .scalar(let scalar) = value.node, ["true", "false", "yes", "no"].contains(scalar.string.lowercased()) {
                    backoff = try value.bool("retry_exponential_backoff") ? 2 : 0
                } else {
                    backoff = try value.number("retry_exponential_backoff")
                    guard backoff >= 0, backoff <= 100 else {
                        throw value.problem("retry_exponential_backoff must be true, false, or a multiplier between 0 and 100")
                    }
                }
            case "env":
                for variable in try value.mapping("env") {
                    let text = try variable.value.scalarText("env \(variable.key)")
                    if let problem = TemplateRenderer.problem(in: .string(text)) { throw variable.value.problem("env \(variable.key): \(problem)") }
                    environment[variable.key] = text
                }
            case "queue":
                let name = try value.string("queue")
                if let problem = TaskDefinition.queueProblem(name) { throw value.problem(problem) }
                queue = name
            case "trigger_rule":
                let name = try value.string("trigger_rule")
                guard let rule = TriggerRule(rawValue: name) else {
                    throw value.problem(
                        "unknown trigger_rule '\(name)'\(DAGFileParser.suggestion(name, Set(TriggerRule.allCases.map(\.rawValue)))); use one of \(TriggerRule.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                triggerRule = rule
            default:
                guard ignoring else {
                    throw pair.keyNode.problem(
                        "unknown key '\(pair.key)' in \(what)\(DAGFileParser.suggestion(pair.key, DAGFileParser.defaultArgKeys))"
                    )
                }
            }
        }
    }
}

extension YAMLNode {
    /// A scalar's text, whatever YAML would read it as (`PORT: 8080` gives "8080").
    func scalarText(_ what: String) throws(DAGFileError.Problem) -> String {
        guard case .scalar(let scalar) = node else { throw problem("\(what) must be a single value") }
        return scalar.string
    }
}
