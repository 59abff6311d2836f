public import Foundation
public import JSON

extension TrackingClient {
    /// The id of the experiment called `name`, created when missing.
    public func experimentID(named name: String) async throws(TrackingClientError) -> String {
        do {
            let found = try await call("GET", "experiments/get-by-name", ["experiment_name": .string(name)])
            if let id = found["experiment"]?["experiment_id"]?.string { return id }
        } catch  where error.isMissingResource {}
        do {
            let created = try await call("POST", "experiments/create", ["name": .string(name)])
            if let id = created["experiment_id"]?.string { return id }
        } catch  where error.code == "RESOURCE_ALREADY_EXISTS" {
            // Created meanwhile by someone else.
            let found = try await call("GET", "experiments/get-by-name", ["experiment_name": .string(name)])
            if let id = found["experiment"]?["experiment_id"]?.string { return id }
        }
        throw TrackingClientError(code: nil, status: nil, message: "the tracking server did not give an id for experiment '\(name)'")
    }

    /// Starts a run; returns its `info` (run_id, artifact_uri, …).
    public func createRun(
        experimentID: String,
        name: String?,
        tags: [(String, String)],
        now: Date = Date()
    ) async throws(TrackingClientError) -> JSONValue {
        var body: [String: JSONValue] = [
            "experiment_id": .string(experimentID),
            "start_time": .integer(Int64(now.timeIntervalSince1970 * 1000)),
            "tags": .array(tags.map { .object(["key": .string($0.0), "value": .string($0.1)]) }),
        ]
        if let name { body["run_name"] = .string(name) }
        let response = try await call("POST", "runs/create", body)
        guard let info = response["run"]?["info"], info["run_id"]?.string != nil else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking server did not answer runs/create with a run")
        }
        return info
    }

    /// The run with `id` (`{"info", "data", "inputs", …}`).
    public func run(id: String) async throws(TrackingClientError) -> JSONValue {
        let response = try await call("GET", "runs/get", ["run_id": .string(id)])
        guard let run = response["run"] else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking server did not answer runs/get with a run")
        }
        return run
    }

    /// Logs params, metrics and tags in one request.
    public func logBatch(
        runID: String,
        params: [(key: String, value: String)] = [],
        metrics: [(key: String, value: Double)] = [],
        tags: [(String, String)] = [],
        now: Date = Date()
    ) async throws(TrackingClientError) {
        let timestamp = JSONValue.integer(Int64(now.timeIntervalSince1970 * 1000))
        try await call(
            "POST",
            "runs/log-batch",
            [
                "run_id": .string(runID),
                "params": .array(params.map { .object(["key": .string($0.key), "value": .string($0.value)]) }),
                "metrics": .array(
                    metrics.map { .object(["key": .string($0.key), "value": .double($0.value), "timestamp": timestamp, "step": .integer(0)]) }
                ),
                "tags": .array(tags.map { .object(["key": .string($0.0), "value": .string($0.1)]) }),
            ]
        )
    }

    /// Ends a run as `FINISHED`, `FAILED` or `KILLED`.
    public func endRun(runID: String, status: String, now: Date = Date()) async throws(TrackingClientError) {
        try await call(
            "POST",
            "runs/update",
            [
                "run_id": .string(runID), "status": .string(status), "end_time": .integer(Int64(now.timeIntervalSince1970 * 1000)),
            ]
        )
    }

    /// The latest value of `metric` in a run, if logged.
    public func latestMetric(_ metric: String, runID: String) async throws(TrackingClientError) -> Double? {
        let run = try await run(id: runID)
        return run["data"]?["metrics"]?.array.first { $0["key"]?.string == metric }?["value"]?.double
    }
}
