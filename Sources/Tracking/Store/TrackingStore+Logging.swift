import SQLKit
import Storage

extension TrackingStore {
    /// Logs metrics, params and tags to an active run in one transaction.
    ///
    /// Params are write-once: the same value again is accepted, a different one is rejected, and a
    /// key repeated within the request is rejected. Tags are upserted. Metrics are appended to the
    /// history unless the same measurement (key, timestamp, step, value) is there already, and the
    /// latest value of each key (by step, then timestamp, then value) is kept alongside for reads
    /// and search. A metric with a `modelID` is also recorded as a metric of that logged model,
    /// with the run that logged it (once per model, key, timestamp, step and run), as MLflow does.
    /// - Throws: ``TrackingError`` for invalid keys or values, changed params, too large a batch,
    ///   a missing or deleted run.
    public func logBatch(runID: String, metrics: [Metric] = [], params: [Tag] = [], tags: [Tag] = []) async throws {
        try TrackingValidation.runID(runID)
        try TrackingValidation.batch(metrics: metrics.count, params: params.count, tags: tags.count)
        for metric in metrics {
            try TrackingValidation.key(metric.key, kind: "metric")
            guard metric.timestamp >= 0 else {
                throw TrackingError.invalid(
                    "Metric '\(metric.key)' has an invalid timestamp \(metric.timestamp): it must be a non-negative number of milliseconds."
                )
            }
        }
        for param in params { try TrackingValidation.key(param.key, kind: "param") }
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        let duplicates = Dictionary(grouping: params, by: \.key).filter { $0.value.count > 1 }.keys.sorted()
        guard duplicates.isEmpty else {
            throw TrackingError.invalid(
                "Duplicate parameter keys have been submitted: \(duplicates). Please ensure the request contains only one param value per param key."
            )
        }
        let params = params.map { Tag(key: $0.key, value: TrackingValidation.paramValue($0.value)) }
        let tags = tags.map { Tag(key: $0.key, value: TrackingValidation.runTagValue($0.value)) }
        try await database.write { sql in
            try await Self.requireActiveRun(sql, runID)
            try await Self.insertParams(sql, runID: runID, params)
            try await Self.upsertTags(sql, runID: runID, tags)
            try await Self.insertMetrics(sql, runID: runID, metrics)
            if let name = tags.last(where: { $0.key == Self.runNameTag })?.value {
                try await sql.update("runs").set("name", to: SQLBind(name)).where("run_id", .equal, SQLBind(runID)).run()
            }
        }
    }

    /// Deletes a tag of an active run.
    /// - Throws: ``TrackingError`` 404 when the run has no such tag.
    public func deleteTag(runID: String, key: String) async throws {
        try TrackingValidation.runID(runID)
        try await database.write { sql in
            try await Self.requireActiveRun(sql, runID)
            let deleted = try await sql.delete(from: "tags").where("run_id", .equal, SQLBind(runID))
                .where("key", .equal, SQLBind(key)).returning("key").all()
            if deleted.isEmpty {
                throw TrackingError.notFound("No tag with name: \(key) in run with id \(runID)")
            }
        }
    }

    static func insertParams(_ sql: any SQLDatabase, runID: String, _ params: [Tag]) async throws {
        guard !params.isEmpty else { return }
        let existing = try await sql.select().columns("key", "value").from("params").where("run_id", .equal, SQLBind(runID))
            .where("key", .in, SQLBind.group(params.map(\.key))).all()
        var logged: [String: String] = [:]
        for row in existing { logged[try row.string("key")] = try row.string("value") }
        var fresh: [Tag] = []
        for param in params {
            if let old = logged[param.key] {
                guard old == param.value else {
                    throw TrackingError.invalid(
                        "Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value '\(param.value)'."
                    )
                }
            } else {
                fresh.append(param)
            }
        }
        guard !fresh.isEmpty else { return }
        var insert = sql.insert(into: "params").columns("run_id", "key", "value")
        for param in fresh { insert = insert.values(SQLBind(runID), SQLBind(param.key), SQLBind(param.value)) }
        try await insert.run()
    }

    static func insertMetrics(_ sql: any SQLDatabase, runID: String, _ metrics: [Metric]) async throws {
        guard !metrics.isEmpty else { return }
        // Many rows per statement, within SQLite's limit of bound parameters. A measurement that is
        // there already (MLflow's metric key: key, timestamp, step, value) is not added again.
        for chunk in stride(from: 0, to: metrics.count, by: 300).map({ Array(metrics[$0..<min($0 + 300, metrics.count)]) }) {
            var insert = sql.insert(into: "metrics").columns("run_id", "key", "step", "timestamp", "value", "is_nan")
            for metric in chunk {
                insert = insert.values(
                    SQLBind(runID),
                    SQLBind(metric.key),
                    SQLBind(metric.step),
                    SQLBind(metric.timestamp),
                    SQLBind(metric.value.isNaN ? 0 : metric.value),
                    SQLBind(metric.value.isNaN)
                )
            }
            try await insert.ignoringConflicts(with: metricIdentity).run()
        }
        try await insertLoggedModelMetrics(sql, runID: runID, metrics.filter { $0.modelID != nil })
        // The latest value per key among this batch, then merged with what is stored.
        var latest: [String: Metric] = [:]
        for metric in metrics where latest[metric.key].map({ metric.isLater(than: $0) }) ?? true {
            latest[metric.key] = metric
        }
        for metric in latest.values.sorted(by: { $0.key < $1.key }) {
            let stored = metric.value.isNaN ? 0 : metric.value
            try await sql.raw(
                """
                INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan)
                VALUES (\(bind: runID), \(bind: metric.key), \(bind: metric.step), \(bind: metric.timestamp), \(bind: stored), \(bind: metric.value.isNaN))
                ON CONFLICT (run_id, key) DO UPDATE SET
                    step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
                WHERE (excluded.step, excluded.timestamp, excluded.value) >= (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)
                """
            ).run()
        }
    }

    /// The columns of MLflow's metric key within a run's history (`metrics_identity`).
    static let metricIdentity = ["run_id", "key", "timestamp", "step", "value", "is_nan"]

    /// Records metrics logged with a `modelID` as metrics of those logged models, with the run that
    /// logged them; a measurement the model has from that run already is kept as it is.
    /// - Throws: ``TrackingError`` BAD_REQUEST (400, what MLflow's foreign key failure answers)
    ///   when no logged model has the ID, so that nothing of the request is logged.
    static func insertLoggedModelMetrics(_ sql: any SQLDatabase, runID: String, _ metrics: [Metric]) async throws {
        guard !metrics.isEmpty else { return }
        let modelIDs = Set(metrics.compactMap(\.modelID)).sorted()
        let known = Set(
            try await sql.select().column("model_id").from("logged_models")
                .where("model_id", .in, SQLBind.group(modelIDs)).all().map { try $0.string("model_id") }
        )
        if let missing = modelIDs.first(where: { !known.contains($0) }) {
            throw TrackingError(.badRequest, "Invalid model_id '\(missing)': no logged model has this ID.")
        }
        for chunk in stride(from: 0, to: metrics.count, by: 200).map({ Array(metrics[$0..<min($0 + 200, metrics.count)]) }) {
            var insert = sql.insert(into: "logged_model_metrics")
                .columns("model_id", "key", "timestamp", "step", "run_id", "value", "is_nan", "dataset_name", "dataset_digest")
            for metric in chunk {
                insert = insert.values(
                    SQLBind(metric.modelID),
                    SQLBind(metric.key),
                    SQLBind(metric.timestamp),
                    SQLBind(metric.step),
                    SQLBind(runID),
                    SQLBind(metric.value.isNaN ? 0 : metric.value),
                    SQLBind(metric.value.isNaN),
                    SQLBind(metric.datasetName),
                    SQLBind(metric.datasetDigest)
                )
            }
            try await insert.ignoringConflicts(with: ["model_id", "key", "timestamp", "step", "run_id"]).run()
        }
    }
}
