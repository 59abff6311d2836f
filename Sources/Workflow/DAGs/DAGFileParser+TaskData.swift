import RunStorage

/// Reading and checking `outputs:` and `inputs:` (docs/orchestrator.md, "Task data").
extension DAGFileParser {
    static let taskDataKeys: Set<String> = ["outputs", "inputs"]

    /// The task's `outputs:`: paths relative to the workspace, files or folders ending with `/`.
    static func outputs(_ node: YAMLNode?, taskID: String) throws(DAGFileError.Problem) -> [String] {
        guard let node else { return [] }
        let items = try node.isNull ? [] : node.sequence("outputs of task '\(taskID)'")
        guard items.count <= TaskDataLimits.maximumOutputs else {
            throw node.problem(
                "task '\(taskID)' declares \(items.count) outputs; at most \(TaskDataLimits.maximumOutputs) (declare a folder, ending with '/', for many files)"
            )
        }
        var outputs: [String] = []
        for item in items {
            let path = try item.string("each output of task '\(taskID)'")
            if let problem = StoredPath.problem(path, allowFolder: true) { throw item.problem("task '\(taskID)', outputs: \(problem)") }
            if let other = outputs.first(where: { StoredPath.file(path, isIn: $0) || StoredPath.file($0, isIn: path) }) {
                throw item.problem("task '\(taskID)' declares the output '\(path)' twice (it overlaps '\(other)')")
            }
            outputs.append(path)
        }
        return outputs
    }

    /// The task's `inputs:`: a list of `{from: TASK}` or `{from: TASK, paths: [...]}`.
    static func inputs(_ node: YAMLNode?, taskID: String) throws(DAGFileError.Problem) -> [TaskDataInput] {
        guard let node, !node.isNull else { return [] }
        let items = try node.sequence("inputs of task '\(taskID)' (a list of {from: TASK_ID} or {from: TASK_ID, paths: [PATH, …]})")
        guard items.count <= TaskDataLimits.maximumInputs else {
            throw node.problem("task '\(taskID)' declares \(items.count) inputs; at most \(TaskDataLimits.maximumInputs)")
        }
        var inputs: [TaskDataInput] = []
        for item in items {
            let what = "each input of task '\(taskID)'"
            let fields = try item.mapping("\(what) ({from: TASK_ID} or {from: TASK_ID, paths: [PATH, …]})")
            for field in fields where !["from", "paths"].contains(field.key) {
                throw field.keyNode.problem(
                    "unknown key '\(field.key)' in an input of task '\(taskID)'\(suggestion(field.key, ["from", "paths"])); use from and paths"
                )
            }
            guard let fromNode = fields.first(where: { $0.key == "from" })?.value else {
                throw item.problem("an input of task '\(taskID)' needs 'from': the upstream task whose outputs it reads")
            }
            let from = try fromNode.string("from")
            var paths: [String]?
            if let pathsNode = fields.first(where: { $0.key == "paths" })?.value, !pathsNode.isNull {
                let list = try pathsNode.strings("paths of an input of task '\(taskID)'")
                guard !list.isEmpty, list.count <= TaskDataLimits.maximumInputs else {
                    throw pathsNode.problem(
                        "paths of an input of task '\(taskID)' must list 1 to \(TaskDataLimits.maximumInputs) paths; leave it out for all of '\(from)''s outputs"
                    )
                }
                for path in list {
                    if let problem = StoredPath.problem(path, allowFolder: true) {
                        throw pathsNode.problem("task '\(taskID)', inputs from '\(from)': \(problem)")
                    }
                }
                paths = list
            }
            if inputs.contains(where: { $0.from == from }) {
                throw item.problem("task '\(taskID)' has two inputs from '\(from)'; list all its paths in one")
            }
            inputs.append(TaskDataInput(from: from, paths: paths))
        }
        return inputs
    }

    /// Checks every task's inputs against the DAG: each comes from an ancestor, names paths among
    /// the producer's outputs, and no two producers write the same path into the consumer's workspace.
    static func checkInputs(_ tasks: [TaskDefinition], nodes: [YAMLNode]) throws(DAGFileError.Problem) {
        let byID = Dictionary(tasks.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = Set(byID.keys)
        for (task, node) in zip(tasks, nodes) where !task.inputs.isEmpty {
            var ancestors: Set<String> = []
            var pending = task.upstream
            while let next = pending.popLast() {
                guard ancestors.insert(next).inserted else { continue }
                pending.append(contentsOf: byID[next]?.upstream ?? [])
            }
            var fetched: [(path: String, from: String)] = []
            for input in task.inputs {
                guard let producer = byID[input.from] else {
                    throw node.problem(
                        "task '\(task.taskID)' has an input from '\(input.from)', which is not a task of this DAG\(suggestion(input.from, ids))"
                    )
                }
                guard ancestors.contains(input.from) else {
                    throw node.problem(
                        "task '\(task.taskID)' has an input from '\(input.from)', which is not upstream of it; add '\(input.from)' to its upstream (or to an upstream task's)"
                    )
                }
                guard !producer.outputs.isEmpty else {
                    throw node.problem(
                        "task '\(task.taskID)' has an input from '\(input.from)', which declares no outputs; give '\(input.from)' outputs: [PATH, …]"
                    )
                }
                for path in input.paths ?? producer.outputs {
                    guard producer.outputs.contains(where: { StoredPath.file(path, isIn: $0) }) else {
                        throw node.problem(
                            "task '\(task.taskID)' reads '\(path)' from '\(input.from)', which is not among its outputs (\(producer.outputs.joined(separator: ", ")))"
                        )
                    }
                    if let other = fetched.first(where: { StoredPath.file(path, isIn: $0.path) || StoredPath.file($0.path, isIn: path) }) {
                        throw node.problem(
                            "task '\(task.taskID)' reads '\(path)' from '\(input.from)' and '\(other.path)' from '\(other.from)', which would land on the same place in its workspace"
                        )
                    }
                    fetched.append((path, input.from))
                }
            }
        }
    }
}
