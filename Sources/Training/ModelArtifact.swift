import Foundation

/// The files of a fitted model as an MLflow model directory: an `MLmodel` file naming the
/// `flowline` flavor, and `model.json` with the coefficients.
public enum ModelArtifact {
    public static let flavor = "flowline"
    public static let dataFile = "model.json"

    /// File name → contents.
    public static func files(for model: LineModel, runID: String?, modelUUID: String = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), now: Date = Date()) throws -> [(name: String, data: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(model)
        let created = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var lines = [
            "artifact_path: model",
            "flavors:",
            "  \(flavor):",
            "    data: \(dataFile)",
            "    model_type: \(model.kind)",
            "    degree: \(model.degree)",
            "model_uuid: \(modelUUID)",
        ]
        if let runID { lines.append("run_id: \(runID)") }
        lines += [
            "signature:",
            #"  inputs: '[{"type": "double", "name": "x", "required": true}]'"#,
            #"  outputs: '[{"type": "double", "required": true}]'"#,
            "  params: null",
            "utc_time_created: '\(created)'",
        ]
        return [("MLmodel", Data((lines.joined(separator: "\n") + "\n").utf8)), (dataFile, data)]
    }

    /// The model in a `model.json`.
    public static func model(from data: Data) throws(TrainingError) -> LineModel {
        let model: LineModel
        do {
            model = try JSONDecoder().decode(LineModel.self, from: data)
        } catch {
            throw TrainingError("\(dataFile) is not a Flowline model: \(error)")
        }
        guard !model.coefficients.isEmpty, model.coefficients.allSatisfy(\.isFinite) else {
            throw TrainingError("\(dataFile) has no finite coefficients")
        }
        return model
    }
}
