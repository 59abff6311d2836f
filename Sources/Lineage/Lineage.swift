/// The names the orchestrator, its tasks, the trainer and the tracking server agree on, so that a
/// model version can be followed back to the commit, the DAG run and the try that made it. Each
/// name is written here once; every side imports it from here.
public enum Lineage {
    /// What a task's process finds in its environment.
    public enum Environment {
        /// The run's workspace: the task's working directory.
        public static let workspace = "FLOWLINE_WORKSPACE"
        public static let dagID = "FLOWLINE_DAG_ID"
        public static let runID = "FLOWLINE_RUN_ID"
        public static let taskID = "FLOWLINE_TASK_ID"
        public static let tryNumber = "FLOWLINE_TRY_NUMBER"
        /// The worker (`flowline worker --name`) that runs the try; absent on a server's own executor.
        public static let worker = "FLOWLINE_WORKER"
        /// The run's configuration as the trigger gave it, as JSON.
        public static let conf = "FLOWLINE_CONF"
        /// The run's params (its conf over the DAG's defaults), as JSON.
        public static let params = "FLOWLINE_PARAMS"
        /// The tracking run's artifact root, and the params a project task logged into it (JSON):
        /// what a trainer needs to add its own without reading the run back.
        public static let artifactURI = "FLOWLINE_ARTIFACT_URI"
        public static let loggedParams = "FLOWLINE_LOGGED_PARAMS"
        /// A python task's template context, as a JSON file.
        public static let contextFile = "FLOWLINE_CONTEXT_FILE"
        /// A project task's repository and the full commit it checked out.
        public static let projectRepository = "FLOWLINE_PROJECT_REPO"
        public static let projectCommit = "FLOWLINE_PROJECT_COMMIT"
        /// MLflow's own names: where to log, and into which run and experiment.
        public static let trackingURI = "MLFLOW_TRACKING_URI"
        /// The try's own token for the tracking server, when it wants logins (the mlflow client's variable).
        public static let trackingToken = "MLFLOW_TRACKING_TOKEN"
        /// The tracking server that token is for; it is not sent to any other.
        public static let trackingTokenAudience = "FLOWLINE_TRACKING_TOKEN_URI"

        /// Whether a try's tracking token (in `environment`) may go to the tracking server `uri`:
        /// only the server it was issued for (trailing `/` aside).
        public static func tokenMayGo(to uri: String, environment: [String: String]) -> Bool {
            guard let audience = environment[trackingTokenAudience] else { return true }
            func trimmed(_ text: String) -> Substring {
                var text = Substring(text)
                while text.hasSuffix("/") { text = text.dropLast() }
                return text
            }
            return trimmed(audience) == trimmed(uri)
        }
        public static let trackingRunID = "MLFLOW_RUN_ID"
        public static let experimentID = "MLFLOW_EXPERIMENT_ID"
    }

    /// The XCom keys tasks push.
    public enum XCom {
        /// The task's own value.
        public static let returnValue = "return_value"
        /// The tracking run a project task logged into, its experiment, and the model it logged.
        public static let trackingRunID = "tracking_run_id"
        public static let experimentID = "experiment_id"
        public static let modelURI = "model_uri"
    }

    /// The tags of a tracking run started by a project task.
    public enum Tag {
        public static let dagID = "flowline.dag_id"
        public static let runID = "flowline.run_id"
        public static let taskID = "flowline.task_id"
        public static let tryNumber = "flowline.try_number"
        /// The run's params (its conf over the DAG's defaults), as JSON.
        public static let conf = "flowline.conf"
        /// MLflow's system tags.
        public static let user = "mlflow.user"
        public static let sourceName = "mlflow.source.name"
        public static let sourceType = "mlflow.source.type"
        public static let gitCommit = "mlflow.source.git.commit"
        public static let gitRepositoryURL = "mlflow.source.git.repoURL"
        public static let entryPoint = "mlflow.project.entryPoint"
        public static let projectBackend = "mlflow.project.backend"
        public static let runName = "mlflow.runName"
    }
}
