public import Foundation

/// The files of a fitted model as an MLflow model directory: an `MLmodel` file naming the
/// `flowline` flavor and the `python_function` flavor, `model.json` with the coefficients, and
/// `code/flowline_pyfunc.py`, the loader that makes `mlflow.pyfunc.load_model` (and so
/// `mlflow models serve`) work on it in Python.
public enum ModelArtifact {
    public static let flavor = "flowline"
    public static let dataFile = "model.json"
    static let loaderModule = "flowline_pyfunc"

    /// File name → contents.
    public static func files(
        for model: LineModel,
        runID: String?,
        modelUUID: String = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
        now: Date = Date()
    ) throws -> [(name: String, data: Data)] {
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
            "  python_function:",
            "    loader_module: \(loaderModule)",
            "    code: code",
            "    data: \(dataFile)",
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
        return [
            ("MLmodel", Data((lines.joined(separator: "\n") + "\n").utf8)), (dataFile, data),
            ("code/\(loaderModule).py", Data(pythonLoader.utf8)),
        ]
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

extension ModelArtifact {
    /// The pyfunc loader: plain Python (numpy and pandas only when the input is theirs).
    static let pythonLoader = #"""
        """Loads a Flowline model (model.json: polynomial coefficients, intercept first) as an MLflow
        pyfunc model, so that mlflow.pyfunc.load_model and mlflow models serve work on it."""
        import json


        class FlowlineModel:
            def __init__(self, coefficients):
                self.coefficients = [float(c) for c in coefficients]

            def value(self, x):
                result = 0.0
                for coefficient in reversed(self.coefficients):
                    result = result * x + coefficient
                return result

            def predict(self, model_input, params=None):
                values = model_input
                if hasattr(values, "columns"):  # a pandas DataFrame: column x, or the only column
                    values = values["x"] if "x" in values.columns else values.iloc[:, 0]
                if hasattr(values, "tolist"):
                    values = values.tolist()
                flat = [v[0] if isinstance(v, (list, tuple)) else v for v in values]
                predictions = [self.value(float(x)) for x in flat]
                try:
                    import numpy
                    return numpy.asarray(predictions)
                except ImportError:
                    return predictions


        def _load_pyfunc(path):
            with open(path) as handle:
                return FlowlineModel(json.load(handle)["coefficients"])
        """#
}
