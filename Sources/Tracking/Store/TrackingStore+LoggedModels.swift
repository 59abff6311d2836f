import Foundation
import SQLKit
import Storage

extension TrackingStore {
    /// The columns of `logged_models`, in the order models are written and read.
    static let loggedModelColumns = [
        "model_id", "experiment_id", "name", "artifact_uri", "creation_timestamp_ms", "last_updated_timestamp_ms", "status",
        "lifecycle_stage", "model_type", "source_run_id",
    ]

    /// Creates a pending logged model in an active experiment.
    public func createLoggedModel(
        experimentID: String,
        name: String?,
        modelType: String?,
        sourceRunID: String?,
        params: [Tag],
        tags: [Tag]
    ) async throws -> LoggedModel {
        let experimentNumber = try TrackingValidation.experimentID(experimentID)
        for param in params { try TrackingValidation.key(param.key, kind: "param") }
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        var generator = SystemRandomNumberGenerator()
        let name = name.flatMap { $0.isEmpty ? nil : $0 } ?? RunNames.random(using: &generator)
        let id = "m-" + newRunID()
        let time = now()
        return try await database.write { sql in
            let experiment = try await Self.requireActiveExperiment(sql, experimentNumber)
            if let sourceRunID { _ = try await Self.requireRun(sql, sourceRunID) }
            try await sql.insert(into: "logged_models")
                .columns(Self.loggedModelColumns)
                .values(
                    SQLBind(id),
                    SQLBind(experimentNumber),
                    SQLBind(name),
                    SQLBind("\(Self.folder(experiment.artifactLocation))/models/\(id)/artifacts"),
                    SQLBind(time),
                    SQLBind(time),
                    SQLBind(LoggedModelStatus.pending.rawValue),
                    SQLBind(LifecycleStage.active.rawValue),
                    SQLBind(modelType),
                    SQLBind(sourceRunID)
                )
                .run()
            try await Self.upsert(sql, table: "logged_model_params", modelID: id, params)
            try await Self.upsert(sql, table: "logged_model_tags", modelID: id, tags)
            return try await Self.requireLoggedModel(sql, id)
        }
    }

    /// The logged model with `id`.
    /// - Throws: ``TrackingError`` 404 when there is none (or it was deleted).
    public func loggedModel(id: String) async throws -> LoggedModel {
        try await database.read { sql in try await Self.requireLoggedModel(sql, id) }
    }

    /// Sets a logged model's status (the client's "finalize": READY once its artifacts are uploaded).
    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        let time = now()
        return try await database.write { sql in
            _ = try await Self.requireLoggedModel(sql, id)
            try await sql.update("logged_models").set("status", to: SQLBind(status.rawValue))
                .set("last_updated_timestamp_ms", to: SQLBind(time)).where("model_id", .equal, SQLBind(id)).run()
            return try await Self.requireLoggedModel(sql, id)
        }
    }

    /// Soft-deletes a logged model.
    public func deleteLoggedModel(id: String) async throws {
        try await database.write { sql in
            _ = try await Self.requireLoggedModel(sql, id)
            try await sql.update("logged_models").set("lifecycle_stage", to: SQLBind(LifecycleStage.deleted.rawValue))
                .where("model_id", .equal, SQLBind(id)).run()
        }
    }

    /// Sets (or replaces) tags of a logged model.
    public func setLoggedModelTags(id: String, _ tags: [Tag]) async throws {
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        try await database.write { sql in
            _ = try await Self.requireLoggedModel(sql, id)
            try await Self.upsert(sql, table: "logged_model_tags", modelID: id, tags)
        }
    }

    /// Deletes a tag of a logged model.
    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await database.write { sql in
            _ = try await Self.requireLoggedModel(sql, id)
            try await sql.delete(from: "logged_model_tags").where("model_id", .equal, SQLBind(id)).where("key", .equal, SQLBind(key)).run()
        }
    }

    /// Logs params of a logged model.
    public func logLoggedModelParams(id: String, _ params: [Tag]) async throws {
        for param in params { try TrackingValidation.key(param.key, kind: "param") }
        try await database.write { sql in
            _ = try await Self.requireLoggedModel(sql, id)
            try await Self.upsert(sql, table: "logged_model_params", modelID: id, params)
        }
    }

    /// Records that a run produced these logged models (at these steps).
    public func logOutputs(runID: String, models: [(id: String, step: Int64)]) async throws {
        try TrackingValidation.runID(runID)
        try await database.write { sql in
            try await Self.requireActiveRun(sql, runID)
            for model in models {
                _ = try await Self.requireLoggedModel(sql, model.id)
                try await sql.insert(into: "run_model_outputs").columns("run_id", "model_id", "step")
                    .values(SQLBind(runID), SQLBind(model.id), SQLBind(model.step))
                    .onConflict(with: ["run_id", "model_id"]) { $0.set(excludedValueOf: "step") }
                    .run()
            }
        }
    }

    /// One page of the active logged models of `experimentIDs` that match `filter`.
    /// - Parameter orderBy: `(field, ascending)` pairs; default newest first.
    public func searchLoggedModels(
        experimentIDs: [String],
        filter: SearchFilter,
        orderBy: [(field: String, ascending: Bool)],
        maxResults: Int,
        offset: Int
    ) async throws -> (models: [LoggedModel], nextOffset: Int?) {
        let experiments = try experimentIDs.map { id throws(TrackingError) in try TrackingValidation.experimentID(id) }
        guard !experiments.isEmpty else { throw TrackingError.invalid("Missing value for required parameter 'experiment_ids'.") }
        let flavor = database.flavor
        let conditions = try filter.clauses.map { clause throws(TrackingError) in try Self.loggedModelCondition(clause, flavor: flavor) }
        let orders = try orderBy.map { order throws(TrackingError) -> any SQLExpression in
            let column = try Self.loggedModelOrderColumn(order.field)
            return SQLOrderBy(expression: SQLColumn(column), direction: order.ascending ? SQLDirection.ascending : SQLDirection.descending)
        }
        return try await database.read { sql in
            var query = sql.select().column("model_id").from("logged_models")
                .where("experiment_id", .in, SQLBind.group(experiments))
                .where("lifecycle_stage", .equal, SQLBind(LifecycleStage.active.rawValue))
            for condition in conditions { query = query.where(condition) }
            for order in orders { query = query.orderBy(order) }
            if orders.isEmpty { query = query.orderBy("creation_timestamp_ms", .descending) }
            query = query.orderBy("model_id").limit(maxResults + 1).offset(offset)
            var ids = try await query.all().map { try $0.string("model_id") }
            let hasMore = ids.count > maxResults
            if hasMore { ids.removeLast() }
            var models: [LoggedModel] = []
            for id in ids { models.append(try await Self.requireLoggedModel(sql, id)) }
            return (models, hasMore ? offset + maxResults : nil)
        }
    }

    static func loggedModelOrderColumn(_ field: String) throws(TrackingError) -> String {
        switch field {
        case "name", "model_id", "model_type", "status", "source_run_id": field
        case "creation_timestamp", "creation_time", "creation_timestamp_ms": "creation_timestamp_ms"
        case "last_updated_timestamp", "last_updated_time", "last_updated_timestamp_ms": "last_updated_timestamp_ms"
        default: throw TrackingError.invalid("Invalid order_by field '\(field)' for logged models.")
        }
    }

    static func loggedModelCondition(_ clause: SearchFilter.Clause, flavor: SQLFlavor) throws(TrackingError) -> any SQLExpression {
        let key = clause.identifier.key
        switch clause.identifier.entity.lowercased() {
        case "", "attribute", "attributes":
            switch key {
            case "name", "model_id", "model_type", "status", "source_run_id":
                guard SearchFilter.Comparator.string.union([.in, .notIn]).contains(clause.comparator), clause.value != .none else {
                    throw TrackingError.invalid("Invalid comparator '\(clause.comparator.rawValue)' for attribute '\(key)'.")
                }
                if case .number = clause.value { throw TrackingError.invalid("Expected a quoted string value for attribute '\(key)'.") }
                return FilterSQL.compare(SQLColumn(key), clause.comparator, clause.value, flavor: flavor)
            case "creation_timestamp", "creation_time", "last_updated_timestamp", "last_updated_time":
                guard SearchFilter.Comparator.numeric.contains(clause.comparator), case .number = clause.value else {
                    throw TrackingError.invalid("Expected a numeric comparison for attribute '\(key)'.")
                }
                return FilterSQL.compare(SQLColumn(try loggedModelOrderColumn(key)), clause.comparator, clause.value, flavor: flavor)
            default:
                throw TrackingError.invalid("Invalid attribute key '\(key)' for logged models.")
            }
        case "params", "param", "tags", "tag":
            guard SearchFilter.Comparator.string.contains(clause.comparator), case .string = clause.value else {
                throw TrackingError.invalid(
                    "Invalid comparison for '\(clause.identifier.entity).\(key)': use =, !=, LIKE or ILIKE with a quoted string."
                )
            }
            let table = clause.identifier.entity.lowercased().hasPrefix("param") ? "logged_model_params" : "logged_model_tags"
            let matches = sql(
                existsIn: table,
                key: key,
                comparison: FilterSQL.compare(SQLColumn("value", table: table), clause.comparator, clause.value, flavor: flavor)
            )
            return matches
        case "metrics", "metric":
            throw TrackingError.invalid("Filtering logged models by metrics is not supported yet by this server.")
        default:
            throw TrackingError.invalid("Invalid entity type '\(clause.identifier.entity)'. Valid values are ['attribute', 'metric', 'param', 'tag']")
        }
    }

    /// `EXISTS (SELECT 1 FROM table WHERE table.model_id = logged_models.model_id AND key = ? AND comparison)`.
    private static func sql(existsIn table: String, key: String, comparison: any SQLExpression) -> any SQLExpression {
        SQLGroupExpression(
            SQLList(
                [
                    SQLRaw("EXISTS (SELECT 1 FROM \(table) WHERE \(table).model_id = logged_models.model_id AND \(table).key = "),
                    SQLBind(key), SQLRaw(" AND "), comparison, SQLRaw(")"),
                ],
                separator: SQLRaw("")
            )
        )
    }

    static func requireLoggedModel(_ sql: any SQLDatabase, _ id: String) async throws -> LoggedModel {
        guard
            let row = try await sql.select()
                .columns(Self.loggedModelColumns)
                .from("logged_models").where("model_id", .equal, SQLBind(id)).first(),
            try row.string("lifecycle_stage") == LifecycleStage.active.rawValue
        else {
            throw TrackingError.notFound("Logged model with ID '\(id)' not found.")
        }
        var model = LoggedModel(
            id: id,
            experimentID: String(try row.int64("experiment_id")),
            name: try row.string("name"),
            artifactURI: try row.string("artifact_uri"),
            creationTime: try row.int64("creation_timestamp_ms"),
            lastUpdatedTime: try row.int64("last_updated_timestamp_ms"),
            status: LoggedModelStatus(rawValue: try row.string("status")) ?? .pending,
            modelType: try row.decode(column: "model_type", as: String?.self),
            sourceRunID: try row.decode(column: "source_run_id", as: String?.self),
            lifecycleStage: .active,
            tags: [],
            params: [],
            metrics: []
        )
        for (table, path) in [("logged_model_tags", \LoggedModel.tags), ("logged_model_params", \LoggedModel.params)] {
            model[keyPath: path] = try await sql.select().columns("key", "value").from(table).where("model_id", .equal, SQLBind(id))
                .orderBy("key").all().map { Tag(key: try $0.string("key"), value: try $0.string("value")) }
        }
        model.metrics = try await sql.select()
            .columns("run_id", "key", "value", "is_nan", "timestamp", "step", "dataset_name", "dataset_digest").from("logged_model_metrics")
            .where("model_id", .equal, SQLBind(id)).orderBy("key").orderBy("step").orderBy("timestamp").orderBy("run_id").all().map { row in
                Metric(
                    key: try row.string("key"),
                    value: try row.bool("is_nan") ? .nan : try row.double("value"),
                    timestamp: try row.int64("timestamp"),
                    step: try row.int64("step"),
                    modelID: id,
                    runID: try row.string("run_id"),
                    datasetName: try row.decode(column: "dataset_name", as: String?.self),
                    datasetDigest: try row.decode(column: "dataset_digest", as: String?.self)
                )
            }
        return model
    }

    /// Sets `entries` (key and value) of logged model `modelID` in `table` (its params or tags);
    /// the last value of a key repeated in `entries` wins.
    static func upsert(_ sql: any SQLDatabase, table: String, modelID: String, _ entries: [Tag]) async throws {
        guard !entries.isEmpty else { return }
        var insert = sql.insert(into: table).columns("model_id", "key", "value")
        var seen: [String: String] = [:]
        for entry in entries { seen[entry.key] = entry.value }
        for (key, value) in seen.sorted(by: { $0.key < $1.key }) {
            insert = insert.values(SQLBind(modelID), SQLBind(key), SQLBind(value))
        }
        try await insert.onConflict(with: ["model_id", "key"]) { $0.set(excludedValueOf: "value") }.run()
    }
}
