import Foundation
public import JSON

/// `operator: project` — runs an entry point of a project in a git repository at an exact commit,
/// as `mlflow run <repo> --version <version> -e <entry_point> -P k=v` does: `repo` (any URL git
/// understands, or a path), `version` (commit, tag or branch; default the default branch's head),
/// `entry_point` (default `main`), `parameters`, `experiment` (default the DAG id), `tracking_uri`,
/// `run_name`.
///
/// The repository is cloned into a cache (fetching only what is missing) and checked out in the
/// run's workspace; the tracking run is created first, with the source and DAG run as tags, and
/// the command runs with `MLFLOW_TRACKING_URI`, `MLFLOW_RUN_ID` and `MLFLOW_EXPERIMENT_ID` set, so
/// whatever it logs lands in that run. The run ends FINISHED or FAILED with the task. XCom: the
/// commit's full SHA; also `tracking_run_id`, `experiment_id` and `model_uri` (when a model was
/// logged).
public struct ProjectOperator: OperatorDefinition {
    public static let name = "project"
    public static let settings: Set<String> = ["repo", "version", "entry_point", "parameters", "experiment", "tracking_uri", "run_name"]
    public static let requiredSettings: Set<String> = ["repo", "tracking_uri"]
    /// The repository (whose code runs) and the tracking server (which receives the run) come from
    /// the DAG file or a Variable; the run's conf may choose the commit and the parameters.
    public static let templateEmbeddings: [String: TemplateEmbedding] = ["repo": .trusted, "tracking_uri": .trusted]

    public static func validate(_ settings: [String: JSONValue]) -> String? {
        if let parameters = settings["parameters"] {
            guard case .object(let values) = parameters else { return "parameters must be a mapping of names to values" }
            for (name, value) in values {
                switch value {
                case .object, .array, .null: return "parameter '\(name)' must be a single value, not \(value.typeName)"
                default: continue
                }
            }
        }
        // `version` may also be a number: YAML reads an all-digit short SHA as one.
        for key in ["repo", "version", "entry_point", "experiment", "tracking_uri", "run_name"] {
            guard let value = settings[key], value.string == nil else { continue }
            if key == "version", case .number = value { continue }
            return "\(key) must be text, not \(value.typeName)"
        }
        return nil
    }
}
