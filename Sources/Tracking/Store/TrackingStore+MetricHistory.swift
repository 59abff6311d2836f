import SQLKit
import Storage

extension TrackingStore {
    /// One page of a metric's history, in the order of MLflow's store: by timestamp, then step,
    /// then value (the order of the `metrics_identity` index).
    /// - Parameters:
    ///   - maxResults: page size; all of it when `nil`.
    ///   - offset: where the page starts (from the previous page's token).
    /// - Returns: the measurements and the offset of the next page, if there is one.
    public func metricHistory(runID: String, key: String, maxResults: Int?, offset: Int) async throws -> (metrics: [Metric], nextOffset: Int?) {
        try TrackingValidation.runID(runID)
        return try await database.read { sql in
            _ = try await Self.requireRun(sql, runID)
            var query = sql.select().columns("value", "is_nan", "timestamp", "step").from("metrics")
                .where("run_id", .equal, SQLBind(runID)).where("key", .equal, SQLBind(key))
                .orderBy("timestamp").orderBy("step").orderBy("value").orderBy("is_nan")
            if let maxResults { query = query.limit(maxResults + 1).offset(offset) }
            var metrics = try await query.all().map { try Self.measurement(key, $0) }
            guard let maxResults, metrics.count > maxResults else { return (metrics, nil) }
            metrics.removeLast(metrics.count - maxResults)
            return (metrics, offset + maxResults)
        }
    }

    /// The history of `key` for several runs (`get-history-bulk-interval`, the charts' request),
    /// sampled as MLflow's store samples it: per run, in the order the runs are given, the rows
    /// ordered by step, timestamp, value are cut into `maxResults` even buckets (`NTILE`) and the
    /// first row of each is kept; the run's last row is always kept too, in place of the last
    /// sample when there are `maxResults` of them already.
    /// - Parameters:
    ///   - startStep: with `endStep`, the range of steps to sample; both or neither.
    ///   - maxResults: the most rows per run, 1 to 2,500.
    /// - Throws: ``TrackingError`` (INVALID_PARAMETER_VALUE, in MLflow's words) for no runs or more
    ///   than 100, a bad `maxResults`, or a step range given by half or backwards.
    public func sampledHistory(
        runIDs: [String],
        key: String,
        startStep: Int64?,
        endStep: Int64?,
        maxResults: Int
    ) async throws -> [(runID: String, metric: Metric)] {
        guard !runIDs.isEmpty else { throw TrackingError.missingParameter("run_ids") }
        guard runIDs.count <= 100 else {
            throw TrackingError.invalid("GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received \(runIDs.count) run_ids.")
        }
        guard (1...2500).contains(maxResults) else {
            throw TrackingError.invalid("max_results must be between 1 and 2500.")
        }
        let range: ClosedRange<Int64>
        switch (startStep, endStep) {
        case (nil, nil):
            range = Int64.min...Int64.max
        case (let start?, let end?):
            guard start <= end else {
                throw TrackingError.invalid("end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
            }
            range = start...end
        default:
            throw TrackingError.invalid("If either start step or end step are specified, both must be specified.")
        }
        return try await database.read { sql in
            var result: [(runID: String, metric: Metric)] = []
            for runID in runIDs {
                for metric in try await Self.sample(sql, runID: runID, key: key, steps: range, count: maxResults) {
                    result.append((runID, metric))
                }
            }
            return result
        }
    }

    /// One run's sample (see ``sampledHistory(runIDs:key:startStep:endStep:maxResults:)``): the
    /// bucketing runs in SQL, so only the sample leaves the database.
    static func sample(_ sql: any SQLDatabase, runID: String, key: String, steps: ClosedRange<Int64>, count: Int) async throws -> [Metric] {
        var rows = try await sql.raw(
            """
            SELECT value, timestamp, step, is_nan FROM (
                SELECT value, timestamp, step, is_nan,
                    ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS position
                FROM (
                    SELECT value, timestamp, step, is_nan,
                        NTILE(CAST(\(bind: count) AS INTEGER)) OVER (ORDER BY step, timestamp, value, is_nan) AS bucket
                    FROM metrics
                    WHERE run_id = \(bind: runID) AND key = \(bind: key) AND step BETWEEN \(bind: steps.lowerBound) AND \(bind: steps.upperBound)
                ) bucketed
            ) ranked
            WHERE position = 1
            ORDER BY step, timestamp, value, is_nan
            """
        ).all().map { try measurement(key, $0) }
        let last = try await sql.select().columns("value", "is_nan", "timestamp", "step").from("metrics")
            .where("run_id", .equal, SQLBind(runID)).where("key", .equal, SQLBind(key))
            .where("step", .greaterThanOrEqual, SQLBind(steps.lowerBound)).where("step", .lessThanOrEqual, SQLBind(steps.upperBound))
            .orderBy("step", .descending).orderBy("timestamp", .descending).orderBy("value", .descending).orderBy("is_nan", .descending)
            .first().map { try measurement(key, $0) }
        if let last, rows.last != last {
            if rows.count >= count { rows.removeLast() }
            rows.append(last)
        }
        return rows
    }

    /// A row of `metrics` (`value`, `is_nan`, `timestamp`, `step`) as a measurement of `key`.
    static func measurement(_ key: String, _ row: some SQLRow) throws -> Metric {
        Metric(
            key: key,
            value: try row.bool("is_nan") ? .nan : try row.double("value"),
            timestamp: try row.int64("timestamp"),
            step: try row.int64("step")
        )
    }
}
