import Foundation
import Training
public import TrackingClient
import Yams

/// Loads a model for serving from its artifact directory: the `flowline` flavor (Flowline's
/// trainer), or any MLflow model whose `MLmodel` carries the linear coefficients as
/// `metadata.flowline_model` (the example's Python commit logs them so).
public enum ModelLoader {
    public static func load(artifactURI: String, client: TrackingClient) async throws -> LineModel {
        let descriptor = try await client.download("MLmodel", under: artifactURI)
        let yaml: Any?
        do {
            yaml = try Yams.load(yaml: String(decoding: descriptor, as: UTF8.self))
        } catch {
            throw TrainingError("the MLmodel file at \(artifactURI) is not valid YAML: \(error)")
        }
        guard let fields = yaml as? [String: Any] else { throw TrainingError("the MLmodel file at \(artifactURI) is not a mapping") }
        let flavors = fields["flavors"] as? [String: Any] ?? [:]
        if let flavor = flavors[ModelArtifact.flavor] as? [String: Any] {
            let file = flavor["data"] as? String ?? ModelArtifact.dataFile
            return try ModelArtifact.model(from: try await client.download(file, under: artifactURI))
        }
        if let metadata = (fields["metadata"] as? [String: Any])?["flowline_model"] as? [String: Any] {
            let coefficients = (metadata["coefficients"] as? [Any] ?? []).compactMap { ($0 as? Double) ?? ($0 as? Int).map(Double.init) }
            let data = try JSONSerialization.data(withJSONObject: [
                "kind": metadata["kind"] as? String ?? "linear", "degree": max(coefficients.count - 1, 1),
                "alpha": metadata["alpha"] as? Double ?? 0, "coefficients": coefficients,
            ])
            return try ModelArtifact.model(from: data)
        }
        throw TrainingError(
            "the model at \(artifactURI) has the flavors \(flavors.keys.sorted()) and no 'flowline' flavor or flowline_model metadata; Flowline serves its own linear models (use `mlflow models serve` for others)"
        )
    }
}
