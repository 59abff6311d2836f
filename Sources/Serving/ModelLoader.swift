import Foundation
public import TrackingClient
public import Training
import Yams

/// Loads a model for serving from its artifact directory: the `flowline` flavor (Flowline's
/// trainer), or any MLflow model whose `MLmodel` carries the linear coefficients as
/// `metadata.flowline_model` (the example's Python commit logs them so).
public enum ModelLoader {
    /// The parts of an `MLmodel` file serving reads; everything else is ignored.
    struct Descriptor: Decodable {
        struct Flavor: Decodable {
            var data: String?
        }

        struct Metadata: Decodable {
            struct Coefficients: Decodable {
                var kind: String?
                var alpha: Double?
                var coefficients: [Double]
            }

            var flowline_model: Coefficients?
        }

        var flavors: [String: Flavor]?
        var metadata: Metadata?
    }

    /// The largest `MLmodel` file, and the largest coefficients file, read (a line's model is a few
    /// hundred bytes).
    public static let maximumFileSize = 1 << 20

    public static func load(artifactURI: String, client: TrackingClient) async throws -> LineModel {
        let file = try await client.download("MLmodel", under: artifactURI, maximumSize: maximumFileSize)
        let descriptor: Descriptor
        do {
            // YAMLDecoder, not Yams.load: a downloaded file must never crash the server.
            descriptor = try YAMLDecoder().decode(Descriptor.self, from: String(decoding: file, as: UTF8.self))
        } catch {
            throw TrainingError("the MLmodel file at \(artifactURI) is not an MLflow model descriptor: \(error)")
        }
        let flavors = descriptor.flavors ?? [:]
        if let flavor = flavors[ModelArtifact.flavor] {
            return try ModelArtifact.model(
                from: try await client.download(flavor.data ?? ModelArtifact.dataFile, under: artifactURI, maximumSize: maximumFileSize)
            )
        }
        if let linear = descriptor.metadata?.flowline_model {
            let model = LineModel(
                kind: linear.kind ?? "linear",
                degree: max(linear.coefficients.count - 1, 1),
                alpha: linear.alpha ?? 0,
                coefficients: linear.coefficients
            )
            guard !model.coefficients.isEmpty, model.coefficients.allSatisfy(\.isFinite) else {
                throw TrainingError("the flowline_model metadata at \(artifactURI) has no finite coefficients")
            }
            return model
        }
        throw TrainingError(
            "the model at \(artifactURI) has the flavors \(flavors.keys.sorted()) and no 'flowline' flavor or flowline_model metadata; Flowline serves its own linear models (use `mlflow models serve` for others)"
        )
    }
}
