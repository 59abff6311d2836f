import Foundation
import HTTPTypes
import JSON
import NIOCore

/// `runs/*` and `metrics/get-history`: creating and reading runs, and logging to them.
struct RunsController {
    let store: TrackingStore

    func addRoutes<Context>(to routes: inout MLflowRoutes<Context>) {
        let store = store
        routes.addEncoded(.post, "/runs/create") { request in
            let run = try await store.createRun(
                experimentID: try request.string("experiment_id").flatMap { $0.isEmpty ? nil : $0 } ?? "0",
                userID: try request.string("user_id"),
                runName: try request.string("run_name"),
                startTime: try request.int64("start_time"),
                tags: try request.keyValues("tags")
            )
            return MLflowJSON.encode(run, as: "run")
        }
        routes.addEncoded(.get, "/runs/get") { request in
            MLflowJSON.encode(try await store.run(id: try request.runID()), as: "run")
        }
        routes.addEncoded(.post, "/runs/update") { request in
            // An unknown status name is ignored, as MLflow does.
            let status = try request.string("status").flatMap(RunStatus.init(rawValue:))
            let info = try await store.updateRun(
                id: try request.runID(),
                status: status,
                endTime: try request.int64("end_time"),
                runName: try request.string("run_name")
            )
            return JSONWriter.object { json in
                json.key("run_info")
                MLflowJSON.write(info, to: &json)
            }
        }
        routes.add(.post, "/runs/delete") { request in
            try await store.deleteRun(id: try request.runID())
            return .object([:])
        }
        routes.add(.post, "/runs/restore") { request in
            try await store.restoreRun(id: try request.runID())
            return .object([:])
        }
        routes.add(.post, "/runs/log-metric") { request in
            try await store.logBatch(runID: try request.runID(), metrics: [try Self.metric(request)])
            return .object([:])
        }
        routes.add(.post, "/runs/log-parameter") { request in
            try await store.logBatch(
                runID: try request.runID(),
                params: [Tag(key: try request.requiredString("key"), value: try Self.requiredValue(request))]
            )
            return .object([:])
        }
        routes.add(.post, "/runs/set-tag") { request in
            try await store.logBatch(
                runID: try request.runID(),
                tags: [Tag(key: try request.requiredString("key"), value: try Self.requiredValue(request))]
            )
            return .object([:])
        }
        routes.add(.post, "/runs/delete-tag") { request in
            try await store.deleteTag(runID: try request.runID(), key: try request.requiredString("key"))
            return .object([:])
        }
        routes.add(.post, "/runs/log-batch") { request in
            guard request.bodySize <= TrackingValidation.maximumBatchRequestSize else {
                throw TrackingError.invalid("Batched logging API requests must be at most 1 MB in size. Got \(request.bodySize) bytes.")
            }
            try await store.logBatch(
                runID: try request.runID(),
                metrics: try request.messages("metrics").map(Self.metric),
                params: try request.keyValues("params"),
                tags: try request.keyValues("tags")
            )
            return .object([:])
        }
        let search: @Sendable (MLflowRequest) async throws -> ByteBuffer = { request in
            let page = try await store.searchRuns(
                experimentIDs: try request.strings("experiment_ids"),
                filter: try request.string("filter") ?? "",
                viewType: try ViewType.parse(try request.string("run_view_type")),
                maxResults: Int(try request.int64("max_results") ?? 1000),
                orderBy: try request.strings("order_by"),
                offset: try PageToken.offset(from: try request.string("page_token"))
            )
            return JSONWriter.object(capacity: 512 * max(page.runs.count, 1)) { json in
                json.array("runs", page.runs) { json, run in MLflowJSON.write(run, to: &json) }
                json.field("next_page_token", page.nextOffset.map(PageToken.make(offset:)))
            }
        }
        routes.addEncoded(.post, "/runs/search", search)
        routes.addEncoded(.get, "/runs/search", search)
        routes.add(.post, "/runs/log-inputs") { request in
            var datasets: [DatasetInput] = []
            for input in try request.messages("datasets") {
                guard case .object(let fields)? = input.fields["dataset"] else { throw MLflowRequest.missing("dataset") }
                let dataset = MLflowRequest(fields: fields)
                datasets.append(
                    DatasetInput(
                        dataset: Dataset(
                            name: try dataset.requiredString("name"),
                            digest: try dataset.requiredString("digest"),
                            sourceType: try dataset.requiredString("source_type"),
                            source: try dataset.requiredString("source"),
                            schema: try dataset.string("schema"),
                            profile: try dataset.string("profile")
                        ),
                        tags: try input.keyValues("tags")
                    )
                )
            }
            let models = try request.messages("models").map { model throws(TrackingError) in try model.requiredString("model_id") }
            try await store.logInputs(runID: try request.runID(), datasets: datasets, modelIDs: models)
            return .object([:])
        }
        routes.addEncoded(.get, "/metrics/get-history-bulk-interval") { request in
            let history = try await store.sampledHistory(
                runIDs: try request.strings("run_ids"),
                key: try request.requiredString("metric_key"),
                startStep: try request.int64("start_step"),
                endStep: try request.int64("end_step"),
                maxResults: Int(try request.int64("max_results") ?? 2500)
            )
            return JSONWriter.object(capacity: 128 * max(history.count, 1)) { json in
                json.array("metrics", history) { json, entry in MLflowJSON.write(entry.metric, runID: entry.runID, to: &json) }
            }
        }
        routes.addEncoded(.get, "/metrics/get-history") { request in
            let offset = try PageToken.offset(from: try request.string("page_token"))
            let maxResults = try request.int64("max_results").map { value throws(TrackingError) -> Int in
                guard value > 0 else { throw .invalid("Invalid value \(value) for parameter 'max_results' supplied. It must be a positive integer.") }
                return Int(min(value, 1_000_000))
            }
            let key = try request.requiredString("metric_key")
            let page = try await store.metricHistory(runID: try request.runID(), key: key, maxResults: maxResults, offset: offset)
            return JSONWriter.object(capacity: 96 * max(page.metrics.count, 1)) { json in
                json.array("metrics", page.metrics) { json, metric in MLflowJSON.write(metric, to: &json) }
                json.field("next_page_token", page.nextOffset.map(PageToken.make(offset:)))
            }
        }
    }

    /// A metric message: `key`, `value` and `timestamp` are required, `step` defaults to 0; a
    /// `model_id` (with the dataset's `dataset_name` and `dataset_digest`) makes it a metric of that
    /// logged model too.
    static func metric(_ request: MLflowRequest) throws(TrackingError) -> Metric {
        let key = try request.requiredString("key")
        guard let value = try request.double("value") else { throw MLflowRequest.missing("value") }
        guard let timestamp = try request.int64("timestamp") else { throw MLflowRequest.missing("timestamp") }
        let optional = { (name: String) throws(TrackingError) -> String? in try request.string(name).flatMap { $0.isEmpty ? nil : $0 } }
        return Metric(
            key: key,
            value: value,
            timestamp: timestamp,
            step: try request.int64("step") ?? 0,
            modelID: try optional("model_id"),
            datasetName: try optional("dataset_name"),
            datasetDigest: try optional("dataset_digest")
        )
    }

    /// A required `value` that may be the empty string (a tag or param value).
    static func requiredValue(_ request: MLflowRequest) throws(TrackingError) -> String {
        guard let value = try request.string("value") else { throw MLflowRequest.missing("value") }
        return value
    }
}

/// MLflow's page tokens: base64 of `{"offset": N}`. Clients treat them as opaque.
enum PageToken {
    static func make(offset: Int) -> String {
        Data(#"{"offset": \#(offset)}"#.utf8).base64EncodedString()
    }

    /// The offset a token stands for; 0 without a token.
    static func offset(from token: String?) throws(TrackingError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token) else { throw .invalid("Invalid page token, could not base64-decode") }
        guard case .object(let fields)? = try? JSONParser.parse(Array(data)), case .number(let number)? = fields["offset"],
            let offset = number.exactInteger, offset >= 0
        else {
            throw .invalid("Invalid page token, decoded value=\(String(decoding: data, as: UTF8.self))")
        }
        return offset
    }
}
