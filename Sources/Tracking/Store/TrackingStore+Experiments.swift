import SQLKit
import Storage

extension TrackingStore {
    /// Creates an experiment and returns its ID.
    /// - Throws: ``TrackingError`` for an invalid or taken name, or invalid tags.
    public func createExperiment(name: String, artifactLocation: String? = nil, tags: [Tag] = []) async throws -> String {
        try TrackingValidation.experimentName(name)
        for tag in tags { try Self.validateExperimentTag(tag) }
        if let artifactLocation, artifactLocation.hasPrefix("runs:") {
            throw TrackingError.invalid("Got an invalid artifact location '\(artifactLocation)': it must not be a runs:/ URI.")
        }
        // The server reaches s3:// locations with its own keys: only below its own root.
        if let artifactLocation, artifactLocation.hasPrefix("s3://") {
            let root = artifactRoot.hasPrefix("s3://") ? artifactRoot + "/" : nil
            guard let root, Self.folder(artifactLocation).hasPrefix(root) || Self.folder(artifactLocation) + "/" == root else {
                throw TrackingError.invalid(
                    "Got an invalid artifact location '\(artifactLocation)': s3:// locations must be below this server's --default-artifact-root\(root.map { " (\($0))" } ?? ", which is not in S3")."
                )
            }
        }
        let time = now()
        return try await database.write { sql in
            if try await sql.select().column("experiment_id").from("experiments").where("name", .equal, SQLBind(name)).first() != nil {
                throw TrackingError.alreadyExists("Experiment(name=\(name)) already exists.")
            }
            let row = try await sql.insert(into: "experiments")
                .columns("name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time")
                .values(SQLBind(name), SQLBind(artifactLocation ?? ""), SQLBind(LifecycleStage.active.rawValue), SQLBind(time), SQLBind(time))
                .returning("experiment_id")
                .first()
            guard let id = try row?.int64("experiment_id") else { throw TrackingError(.internalError, "the new experiment got no ID") }
            if artifactLocation == nil {
                try await sql.update("experiments").set("artifact_location", to: SQLBind("\(artifactRoot)/\(id)"))
                    .where("experiment_id", .equal, SQLBind(id)).run()
            }
            for tag in tags {
                try await sql.insert(into: "experiment_tags").columns("experiment_id", "key", "value")
                    .values(SQLBind(id), SQLBind(tag.key), SQLBind(tag.value)).run()
            }
            return String(id)
        }
    }

    /// `location` without trailing `/`, to put a run's or a model's folder below it
    /// (`mlflow-artifacts:/` + run → `mlflow-artifacts:/<run>`, never an authority).
    static func folder(_ location: String) -> String {
        var folder = Substring(location)
        while folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// Gives the Default experiment, which the first migration creates with `mlflow-artifacts:/0`,
    /// a folder of the configured artifact root instead while it holds nothing: a server first
    /// started with `--default-artifact-root` puts its runs where MLflow's would.
    public func adoptArtifactRoot() async throws {
        guard artifactRoot != "mlflow-artifacts:" else { return }
        try await database.write { sql in
            try await sql.raw(
                """
                UPDATE experiments SET artifact_location = \(bind: "\(artifactRoot)/0")
                WHERE experiment_id = 0 AND artifact_location = 'mlflow-artifacts:/0'
                AND NOT EXISTS (SELECT 1 FROM runs WHERE experiment_id = 0)
                AND NOT EXISTS (SELECT 1 FROM logged_models WHERE experiment_id = 0)
                """
            ).run()
        }
    }

    /// The experiment with `id`, deleted or not.
    /// - Throws: ``TrackingError`` 404 when there is none.
    public func experiment(id: String) async throws -> Experiment {
        let number = try TrackingValidation.experimentID(id)
        return try await database.read { sql in
            guard
                let experiment = try await Self.loadExperiments(sql, where: SQLBinaryExpression(SQLColumn("experiment_id"), .equal, SQLBind(number)))
                    .first
            else {
                throw TrackingError.notFound("No Experiment with id=\(id) exists")
            }
            return experiment
        }
    }

    /// The experiment named `name`, deleted or not.
    /// - Throws: ``TrackingError`` 404 when there is none.
    public func experiment(named name: String) async throws -> Experiment {
        try await database.read { sql in
            guard let experiment = try await Self.loadExperiments(sql, where: SQLBinaryExpression(SQLColumn("name"), .equal, SQLBind(name))).first
            else {
                throw TrackingError.notFound("Could not find experiment with name '\(name)'")
            }
            return experiment
        }
    }

    /// Renames an active experiment.
    public func renameExperiment(id: String, to newName: String) async throws {
        try TrackingValidation.experimentName(newName)
        let number = try TrackingValidation.experimentID(id)
        let time = now()
        try await database.write { sql in
            let experiment = try await Self.requireExperiment(sql, number)
            guard experiment.lifecycleStage == .active else {
                throw TrackingError.invalid("Cannot rename a non-active experiment.")
            }
            if newName == experiment.name { return }
            if try await sql.select().column("experiment_id").from("experiments").where("name", .equal, SQLBind(newName)).first() != nil {
                throw TrackingError.alreadyExists("Experiment(name=\(newName)) already exists.")
            }
            try await sql.update("experiments").set("name", to: SQLBind(newName)).set("last_update_time", to: SQLBind(time))
                .where("experiment_id", .equal, SQLBind(number)).run()
        }
    }

    /// Soft-deletes an experiment and its active runs (the Default experiment cannot be deleted).
    public func deleteExperiment(id: String) async throws {
        let number = try TrackingValidation.experimentID(id)
        guard number != 0 else { throw TrackingError.invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.") }
        let time = now()
        try await database.write { sql in
            let experiment = try await Self.requireExperiment(sql, number)
            guard experiment.lifecycleStage == .active else { return }
            try await sql.update("experiments").set("lifecycle_stage", to: SQLBind(LifecycleStage.deleted.rawValue))
                .set("last_update_time", to: SQLBind(time)).where("experiment_id", .equal, SQLBind(number)).run()
            try await sql.update("runs").set("lifecycle_stage", to: SQLBind(LifecycleStage.deleted.rawValue))
                .set("deleted_time", to: SQLBind(time))
                .where("experiment_id", .equal, SQLBind(number))
                .where("lifecycle_stage", .equal, SQLBind(LifecycleStage.active.rawValue)).run()
        }
    }

    /// Restores a deleted experiment, and the runs that were deleted with it.
    public func restoreExperiment(id: String) async throws {
        let number = try TrackingValidation.experimentID(id)
        let time = now()
        try await database.write { sql in
            let experiment = try await Self.requireExperiment(sql, number)
            guard experiment.lifecycleStage == .deleted else { return }
            if try await sql.select().column("experiment_id").from("experiments").where("name", .equal, SQLBind(experiment.name))
                .where("lifecycle_stage", .equal, SQLBind(LifecycleStage.active.rawValue)).first() != nil
            {
                throw TrackingError.alreadyExists("Cannot restore experiment '\(experiment.name)': an active experiment has that name.")
            }
            try await sql.update("experiments").set("lifecycle_stage", to: SQLBind(LifecycleStage.active.rawValue))
                .set("last_update_time", to: SQLBind(time)).where("experiment_id", .equal, SQLBind(number)).run()
            try await sql.update("runs").set("lifecycle_stage", to: SQLBind(LifecycleStage.active.rawValue))
                .set("deleted_time", to: SQLLiteral.null)
                .where("experiment_id", .equal, SQLBind(number))
                .where("deleted_time", .equal, SQLBind(experiment.lastUpdateTime)).run()
        }
    }

    /// Sets (or replaces) a tag of an active experiment.
    public func setExperimentTag(id: String, _ tag: Tag) async throws {
        try Self.validateExperimentTag(tag)
        let number = try TrackingValidation.experimentID(id)
        try await database.write { sql in
            try await Self.requireActiveExperiment(sql, number)
            try await sql.insert(into: "experiment_tags").columns("experiment_id", "key", "value")
                .values(SQLBind(number), SQLBind(tag.key), SQLBind(tag.value))
                .onConflict(with: ["experiment_id", "key"]) { $0.set(excludedValueOf: "value") }
                .run()
        }
    }

    /// Deletes a tag of an active experiment.
    /// - Throws: ``TrackingError`` 404 when the experiment has no such tag.
    public func deleteExperimentTag(id: String, key: String) async throws {
        let number = try TrackingValidation.experimentID(id)
        try await database.write { sql in
            try await Self.requireActiveExperiment(sql, number)
            let deleted = try await sql.delete(from: "experiment_tags").where("experiment_id", .equal, SQLBind(number))
                .where("key", .equal, SQLBind(key)).returning("key").all()
            if deleted.isEmpty {
                throw TrackingError.notFound("No tag with name: \(key) in experiment with id \(id)")
            }
        }
    }

    static func validateExperimentTag(_ tag: Tag) throws(TrackingError) {
        try TrackingValidation.key(tag.key, kind: "tag")
        guard tag.value.count <= TrackingValidation.maximumExperimentTagValueLength else {
            throw .invalid(
                "Tag value '\(tag.value.prefix(32))…' had length \(tag.value.count), which exceeded length limit of \(TrackingValidation.maximumExperimentTagValueLength)"
            )
        }
    }

    @discardableResult
    static func requireExperiment(_ sql: any SQLDatabase, _ id: Int64) async throws -> Experiment {
        guard let experiment = try await loadExperiments(sql, where: SQLBinaryExpression(SQLColumn("experiment_id"), .equal, SQLBind(id))).first
        else {
            throw TrackingError.notFound("No Experiment with id=\(id) exists")
        }
        return experiment
    }

    @discardableResult
    static func requireActiveExperiment(_ sql: any SQLDatabase, _ id: Int64) async throws -> Experiment {
        let experiment = try await requireExperiment(sql, id)
        guard experiment.lifecycleStage == .active else {
            throw TrackingError.invalid("The experiment \(id) must be in the 'active' state. Current state is \(experiment.lifecycleStage.rawValue).")
        }
        return experiment
    }

    /// Experiments matching `condition`, with their tags, in the order of `orderBy`.
    static func loadExperiments(
        _ sql: any SQLDatabase,
        where condition: any SQLExpression,
        orderBy: [any SQLExpression] = [],
        limit: Int? = nil,
        offset: Int? = nil
    ) async throws -> [Experiment] {
        var query = sql.select()
            .columns("experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time")
            .from("experiments")
            .where(condition)
        for order in orderBy { query = query.orderBy(order) }
        if let limit { query = query.limit(limit) }
        if let offset { query = query.offset(offset) }
        var experiments = try await query.all().map { row in
            Experiment(
                id: String(try row.int64("experiment_id")),
                name: try row.string("name"),
                artifactLocation: try row.string("artifact_location"),
                lifecycleStage: LifecycleStage(rawValue: try row.string("lifecycle_stage")) ?? .active,
                creationTime: try row.int64("creation_time"),
                lastUpdateTime: try row.int64("last_update_time")
            )
        }
        guard !experiments.isEmpty else { return [] }
        let ids = experiments.compactMap { Int64($0.id) }
        let tagRows = try await sql.select().columns("experiment_id", "key", "value").from("experiment_tags")
            .where("experiment_id", .in, SQLBind.group(ids)).orderBy("key").all()
        var tags: [String: [Tag]] = [:]
        for row in tagRows {
            tags[String(try row.int64("experiment_id")), default: []].append(Tag(key: try row.string("key"), value: try row.string("value")))
        }
        for index in experiments.indices { experiments[index].tags = tags[experiments[index].id] ?? [] }
        return experiments
    }
}
