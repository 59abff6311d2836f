import JSON
import NIOCore

/// Runs, metrics and logged models, written straight into the response (``JSONWriter``): a search
/// or a metric history holds thousands of them.
extension MLflowJSON {
    static func write(_ tags: [Tag], as key: StaticString, to json: inout JSONWriter) {
        json.array(key, tags) { json, tag in
            json.object { json in
                json.field("key", tag.key)
                json.field("value", tag.value)
            }
        }
    }

    static func write(_ info: RunInfo, to json: inout JSONWriter) {
        json.object { json in
            json.field("run_id", info.runID)
            json.field("run_uuid", info.runID)
            json.field("run_name", info.runName)
            json.field("experiment_id", info.experimentID)
            json.field("user_id", info.userID)
            json.field("status", info.status.rawValue)
            json.field("start_time", info.startTime)
            json.field("end_time", info.endTime)
            json.field("artifact_uri", info.artifactURI)
            json.field("lifecycle_stage", info.lifecycleStage.rawValue)
        }
    }

    /// A metric, with the members it has set (MLflow's `Metric`); `runID` gives the `run_id` that
    /// sampled histories carry.
    static func write(_ metric: Metric, runID: String? = nil, to json: inout JSONWriter) {
        json.object { json in
            json.field("key", metric.key)
            json.field("value", metric.value)
            json.field("timestamp", metric.timestamp)
            json.field("step", metric.step)
            json.field("dataset_name", metric.datasetName)
            json.field("dataset_digest", metric.datasetDigest)
            json.field("model_id", metric.modelID)
            json.field("run_id", runID ?? metric.runID)
        }
    }

    static func write(_ run: Run, to json: inout JSONWriter) {
        json.object { json in
            json.key("info")
            write(run.info, to: &json)
            json.object("data") { json in
                json.array("metrics", run.data.metrics) { json, metric in write(metric, to: &json) }
                write(run.data.params, as: "params", to: &json)
                write(run.data.tags, as: "tags", to: &json)
            }
            json.object("inputs") { json in
                json.array("dataset_inputs", run.inputs.datasets) { json, input in
                    json.object { json in
                        write(input.tags, as: "tags", to: &json)
                        json.object("dataset") { json in
                            json.field("name", input.dataset.name)
                            json.field("digest", input.dataset.digest)
                            json.field("source_type", input.dataset.sourceType)
                            json.field("source", input.dataset.source)
                            json.field("schema", input.dataset.schema)
                            json.field("profile", input.dataset.profile)
                        }
                    }
                }
                json.array("model_inputs", run.inputs.modelIDs) { json, modelID in
                    json.object { $0.field("model_id", modelID) }
                }
            }
            if !run.modelOutputs.isEmpty {
                json.object("outputs") { json in
                    json.array("model_outputs", run.modelOutputs) { json, output in
                        json.object { json in
                            json.field("model_id", output.modelID)
                            json.field("step", output.step)
                        }
                    }
                }
            }
        }
    }

    static func write(_ model: LoggedModel, to json: inout JSONWriter) {
        json.object { json in
            json.object("info") { json in
                json.field("model_id", model.id)
                json.field("experiment_id", model.experimentID)
                json.field("name", model.name)
                json.field("creation_timestamp_ms", model.creationTime)
                json.field("last_updated_timestamp_ms", model.lastUpdatedTime)
                json.field("artifact_uri", model.artifactURI)
                json.field("status", model.status.rawValue)
                json.field("model_type", model.modelType)
                json.field("source_run_id", model.sourceRunID)
                write(model.tags, as: "tags", to: &json)
            }
            json.object("data") { json in
                write(model.params, as: "params", to: &json)
                json.array("metrics", model.metrics) { json, metric in write(metric, to: &json) }
            }
        }
    }

    /// `{"<key>": <run>}`.
    static func encode(_ run: Run, as key: StaticString) -> ByteBuffer {
        JSONWriter.object { json in
            json.key(key)
            write(run, to: &json)
        }
    }

    /// `{"model": <logged model>}`.
    static func encode(_ model: LoggedModel) -> ByteBuffer {
        JSONWriter.object { json in
            json.key("model")
            write(model, to: &json)
        }
    }
}
