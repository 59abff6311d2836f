public import RunStorage
public import Workflow

/// Turns a task's declared `inputs:` into the files its try fetches (``TaskWorkload/inputs``),
/// from what run storage holds for the producers: the scheduler does it when it describes a try,
/// so that a worker fetches exactly these files and lists nothing.
public enum TaskInputResolver {
    /// The files `task` of `dag` reads in run `runID`, in declaration order.
    /// - Throws: ``TaskDataError`` when a declared file is not stored (its producer did not
    ///   succeed in this run, or stored nothing); what the storage throws.
    public static func resolve(_ task: TaskDefinition, of dag: DAG, runID: String, storage: any RunStorage) async throws -> [TaskInputFile] {
        var files: [TaskInputFile] = []
        for input in task.inputs {
            let outputs = dag.task(input.from)?.outputs ?? []
            let stored = try await storage.list(TaskDataKey(dagID: dag.dagID, runID: runID, taskID: input.from))
            for path in input.paths ?? outputs where !StoredPath.isFolder(path) && !stored.contains(where: { $0.path == path }) {
                throw TaskDataError(
                    "the input '\(path)' from task '\(input.from)' is not in run storage: '\(input.from)' did not store it in this run (did it succeed?)"
                )
            }
            for file in stored where input.wants(file.path, outputs: outputs) {
                files.append(TaskInputFile(from: input.from, path: file.path, size: file.size))
            }
        }
        return files
    }
}
