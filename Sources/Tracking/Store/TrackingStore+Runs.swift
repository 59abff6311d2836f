import SQLKit
import Storage

extension TrackingStore {
    /// The tag that mirrors a run's name.
    static let runNameTag = "mlflow.runName"
    /// The tag that records who created a run.
    static let userTag = "mlflow.user"

    /// Creates a running run in an active experiment.
    ///
    /// The run name and the `mlflow.runName` tag mirror each other; without either, a random name is
    /// chosen. The user is `userID`, else the `mlflow.user` tag.
    /// - Throws: ``TrackingError`` for a missing or deleted experiment, conflicting names, bad tags.
    public func createRun(
        experimentID: String,
        userID: String? = nil,
        runName: String? = nil,
        startTime: Int64? = nil,
        tags: [Tag] = []
    ) async throws -> Run {
        let experimentNumber = try TrackingValidation.experimentID(experimentID)
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        let nameTag = tags.last { $0.key == Self.runNameTag }?.value
        if let runName, let nameTag, !runName.isEmpty, runName != nameTag {
            throw TrackingError.invalid(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='\(runName)', mlflow.runName='\(nameTag)')."
            )
        }
        var generator = SystemRandomNumberGenerator()
        let name = [runName, nameTag].compactMap { $0 }.first { !$0.isEmpty } ?? RunNames.random(using: &generator)
        let user = userID.flatMap { $0.isEmpty ? nil : $0 } ?? tags.last { $0.key == Self.userTag }?.value ?? ""
        let runID = newRunID()
        let start = startTime ?? 0
        var allTags = tags.filter { $0.key != Self.runNameTag }.map { Tag(key: $0.key, value: TrackingValidation.runTagValue($0.value)) }
        allTags.append(Tag(key: Self.runNameTag, value: name))
        let finalTags = allTags
        return try await database.write { sql in
            let experiment = try await Self.requireActiveExperiment(sql, experimentNumber)
            let artifactURI = "\(Self.folder(experiment.artifactLocation))/\(runID)/artifacts"
            try await sql.insert(into: "runs")
                .columns("run_id", "experiment_id", "name", "user_id", "status", "start_time", "lifecycle_stage", "artifact_uri")
                .values(
                    SQLBind(runID),
                    SQLBind(experimentNumber),
                    SQLBind(name),
                    SQLBind(user),
                    SQLBind(RunStatus.running.rawValue),
                    SQLBind(start),
                    SQLBind(LifecycleStage.active.rawValue),
                    SQLBind(artifactURI)
                )
                .run()
            try await Self.upsertTags(sql, runID: runID, finalTags)
            return try await Self.requireRun(sql, runID)
        }
    }

    /// The run with `id`, with its latest metrics, params and tags.
    /// - Throws: ``TrackingError`` 404 when there is none.
    public func run(id: String) async throws -> Run {
        try TrackingValidation.runID(id)
        return try await database.read { sql in try await Self.requireRun(sql, id) }
    }

    /// Changes a run's status, end time or name (which also updates the `mlflow.runName` tag).
    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        try TrackingValidation.runID(id)
        return try await database.write { sql in
            try await Self.requireActiveRun(sql, id)
            var update = sql.update("runs").where("run_id", .equal, SQLBind(id))
            var changed = false
            if let status {
                update = update.set("status", to: SQLBind(status.rawValue))
                changed = true
            }
            if let endTime {
                update = update.set("end_time", to: SQLBind(endTime))
                changed = true
            }
            if let runName, !runName.isEmpty {
                update = update.set("name", to: SQLBind(runName))
                changed = true
                try await Self.upsertTags(sql, runID: id, [Tag(key: Self.runNameTag, value: runName)])
            }
            if changed { try await update.run() }
            return try await Self.requireRun(sql, id).info
        }
    }

    /// Soft-deletes a run.
    public func deleteRun(id: String) async throws {
        try TrackingValidation.runID(id)
        let time = now()
        try await database.write { sql in
            _ = try await Self.requireRun(sql, id)
            try await sql.update("runs").set("lifecycle_stage", to: SQLBind(LifecycleStage.deleted.rawValue))
                .set("deleted_time", to: SQLBind(time)).where("run_id", .equal, SQLBind(id)).run()
        }
    }

    /// Restores a soft-deleted run.
    public func restoreRun(id: String) async throws {
        try TrackingValidation.runID(id)
        try await database.write { sql in
            _ = try await Self.requireRun(sql, id)
            try await sql.update("runs").set("lifecycle_stage", to: SQLBind(LifecycleStage.active.rawValue))
                .set("deleted_time", to: SQLLiteral.null).where("run_id", .equal, SQLBind(id)).run()
        }
    }

    static func requireRun(_ sql: any SQLDatabase, _ id: String) async throws -> Run {
        guard let run = try await loadRuns(sql, ids: [id]).first else {
            throw TrackingError.notFound("Run with id=\(id) not found")
        }
        return run
    }

    /// Fails unless the run exists and is active (deleted runs are read-only).
    static func requireActiveRun(_ sql: any SQLDatabase, _ id: String) async throws {
        guard let row = try await sql.select().column("lifecycle_stage").from("runs").where("run_id", .equal, SQLBind(id)).first() else {
            throw TrackingError.notFound("Run with id=\(id) not found")
        }
        let stage = try row.string("lifecycle_stage")
        guard stage == LifecycleStage.active.rawValue else {
            throw TrackingError.invalid("The run \(id) must be in the 'active' state. Current state is \(stage).")
        }
    }

    /// Runs with these IDs (in the given order), each with its latest metrics, params and tags:
    /// four queries whatever the number of runs.
    static func loadRuns(_ sql: any SQLDatabase, ids: [String]) async throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.select()
            .columns("run_id", "experiment_id", "name", "user_id", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri")
            .from("runs").where("run_id", .in, SQLBind.group(ids)).all()
        var infos: [String: RunInfo] = [:]
        for row in rows {
            let id = try row.string("run_id")
            infos[id] = RunInfo(
                runID: id,
                runName: try row.string("name"),
                experimentID: String(try row.int64("experiment_id")),
                userID: try row.string("user_id"),
                status: RunStatus(rawValue: try row.string("status")) ?? .running,
                startTime: try row.int64("start_time"),
                endTime: try row.optionalInt64("end_time"),
                artifactURI: try row.string("artifact_uri"),
                lifecycleStage: LifecycleStage(rawValue: try row.string("lifecycle_stage")) ?? .active
            )
        }
        var data: [String: RunData] = [:]
        for row in try await sql.select().columns("run_id", "key", "value", "timestamp", "step", "is_nan").from("latest_metrics")
            .where("run_id", .in, SQLBind.group(ids)).orderBy("key").all()
        {
            let value = try row.bool("is_nan") ? Double.nan : try row.double("value")
            data[try row.string("run_id"), default: RunData()].metrics.append(
                Metric(key: try row.string("key"), value: value, timestamp: try row.int64("timestamp"), step: try row.int64("step"))
            )
        }
        for (table, path) in [("params", \RunData.params), ("tags", \RunData.tags)] {
            for row in try await sql.select().columns("run_id", "key", "value").from(table)
                .where("run_id", .in, SQLBind.group(ids)).orderBy("key").all()
            {
                data[try row.string("run_id"), default: RunData()][keyPath: path].append(
                    Tag(key: try row.string("key"), value: try row.string("value"))
                )
            }
        }
        let (inputs, outputs) = try await loadInputs(sql, ids: ids)
        return ids.compactMap { id in
            infos[id].map { Run(info: $0, data: data[id] ?? RunData(), inputs: inputs[id] ?? RunInputs(), modelOutputs: outputs[id] ?? []) }
        }
    }

    static func upsertTags(_ sql: any SQLDatabase, runID: String, _ tags: [Tag]) async throws {
        guard !tags.isEmpty else { return }
        // The last value of a key repeated in one request wins, as in MLflow.
        var latest: [String: String] = [:]
        var order: [String] = []
        for tag in tags {
            if latest[tag.key] == nil { order.append(tag.key) }
            latest[tag.key] = tag.value
        }
        var insert = sql.insert(into: "tags").columns("run_id", "key", "value")
        for key in order { insert = insert.values(SQLBind(runID), SQLBind(key), SQLBind(latest[key] ?? "")) }
        try await insert.onConflict(with: ["run_id", "key"]) { $0.set(excludedValueOf: "value") }.run()
    }
}
