import HTTPSupport
import OrchestratorAPI
import Samples
import Tracking

/// The settings of the commands that are clients of a server: `dags trigger`, `runs list`, … (the
/// orchestrator's REST API), `samples fetch`, `models …` (the tracking server).
extension Settings {
    public static let server = Setting<String>.httpURL(
        option: "--server",
        variables: ["FLOWLINE_SERVER"],
        default: "http://\(ServerPolicy.defaultHost):\(OrchestratorConfiguration.defaultPort)",
        summary: "The orchestrator's URL"
    )

    /// Who logs in: by default, the admin ``adminUser`` creates.
    public static let user = Setting<String>(
        option: "--username",
        variables: ["FLOWLINE_USER"] + adminUser.variables,
        default: adminUser.defaultValue,
        summary: "Username"
    )

    public static let password = Setting<String>(
        option: "--password",
        variables: ["FLOWLINE_PASSWORD"] + adminPassword.variables,
        default: adminPassword.defaultValue,
        summary: "Password",
        isSecret: true
    )

    public static let samplesURL = Setting<String>.httpURL(
        option: "--url",
        variables: ["FLOWLINE_SAMPLES_URL"],
        default: "http://\(ServerPolicy.defaultHost):\(SamplesConfiguration.defaultPort)",
        summary: "The samples service"
    )

    /// MLflow's own variable, as the `mlflow` client reads it.
    public static let trackingURI = Setting<String>.httpURL(
        option: "--tracking-uri",
        variables: ["MLFLOW_TRACKING_URI"],
        default: "http://\(ServerPolicy.defaultHost):\(TrackingConfiguration.defaultPort)",
        summary: "The tracking server"
    )
}
