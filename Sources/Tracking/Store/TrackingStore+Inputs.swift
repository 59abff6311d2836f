import Foundation
import SQLKit
import Storage

extension TrackingStore {
    /// Records the datasets (deduplicated per experiment by name and digest) and logged models an
    /// active run used.
    /// - Throws: ``TrackingError`` for values beyond MLflow's limits, or a missing or deleted run.
    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        try TrackingValidation.runID(runID)
        for input in datasets { try Self.validate(input) }
        try await database.write { sql in
            try await Self.requireActiveRun(sql, runID)
            let experimentID =
                try await sql.select().column("experiment_id").from("runs").where("run_id", .equal, SQLBind(runID)).first()?.int64("experiment_id")
                ?? 0
            for input in datasets {
                let dataset = input.dataset
                let existing = try await sql.select().column("dataset_uuid").from("datasets")
                    .where("experiment_id", .equal, SQLBind(experimentID)).where("name", .equal, SQLBind(dataset.name))
                    .where("digest", .equal, SQLBind(dataset.digest)).first()?.string("dataset_uuid")
                let uuid = existing ?? UUID().uuidString.lowercased()
                if existing == nil {
                    try await sql.insert(into: "datasets")
                        .columns("dataset_uuid", "experiment_id", "name", "digest", "source_type", "source", "dataset_schema", "dataset_profile")
                        .values(
                            SQLBind(uuid),
                            SQLBind(experimentID),
                            SQLBind(dataset.name),
                            SQLBind(dataset.digest),
                            SQLBind(dataset.sourceType),
                            SQLBind(dataset.source),
                            SQLBind(dataset.schema),
                            SQLBind(dataset.profile)
                        )
                        .run()
                }
                try await sql.insert(into: "run_dataset_inputs").columns("run_id", "dataset_uuid").values(SQLBind(runID), SQLBind(uuid))
                    .ignoringConflicts().run()
                for tag in input.tags {
                    try await sql.insert(into: "run_dataset_input_tags").columns("run_id", "dataset_uuid", "key", "value")
                        .values(SQLBind(runID), SQLBind(uuid), SQLBind(tag.key), SQLBind(tag.value))
                        .onConflict(with: ["run_id", "dataset_uuid", "key"]) { $0.set(excludedValueOf: "value") }.run()
                }
            }
            for modelID in modelIDs {
                try await sql.insert(into: "run_model_inputs").columns("run_id", "model_id").values(SQLBind(runID), SQLBind(modelID))
                    .ignoringConflicts().run()
            }
        }
    }

    static func validate(_ input: DatasetInput) throws(TrackingError) {
        let dataset = input.dataset
        let limits: [(String, String?, Int)] = [
            ("name", dataset.name, 500), ("digest", dataset.digest, 36), ("source", dataset.source, 65535),
            ("schema", dataset.schema, 1_048_576), ("profile", dataset.profile, 16_777_216),
        ]
        for (field, value, limit) in limits where (value?.utf8.count ?? 0) > limit {
            throw .invalid("Dataset \(field) exceeds the maximum length of \(limit)")
        }
        guard !dataset.name.isEmpty, !dataset.digest.isEmpty else { throw .invalid("A dataset needs a name and a digest.") }
        for tag in input.tags where tag.key.count > 255 || tag.value.count > 500 {
            throw .invalid("Input tag '\(tag.key.prefix(32))' exceeds the maximum length (key 255, value 500).")
        }
    }

    /// The inputs and model outputs of each of `ids`.
    static func loadInputs(
        _ sql: any SQLDatabase,
        ids: [String]
    ) async throws -> (inputs: [String: RunInputs], outputs: [String: [(modelID: String, step: Int64)]]) {
        var inputs: [String: RunInputs] = [:]
        var tags: [String: [Tag]] = [:]
        for row in try await sql.select().columns("run_id", "dataset_uuid", "key", "value").from("run_dataset_input_tags")
            .where("run_id", .in, SQLBind.group(ids)).orderBy("key").all()
        {
            tags["\(try row.string("run_id"))/\(try row.string("dataset_uuid"))", default: []].append(
                Tag(key: try row.string("key"), value: try row.string("value"))
            )
        }
        let rows = try await sql.select()
            .columns(
                SQLColumn("run_id", table: "run_dataset_inputs"),
                SQLColumn("dataset_uuid", table: "datasets"),
                SQLColumn("name", table: "datasets"),
                SQLColumn("digest", table: "datasets"),
                SQLColumn("source_type", table: "datasets"),
                SQLColumn("source", table: "datasets"),
                SQLColumn("dataset_schema", table: "datasets"),
                SQLColumn("dataset_profile", table: "datasets")
            )
            .from("run_dataset_inputs").join(
                "datasets",
                on: SQLColumn("dataset_uuid", table: "run_dataset_inputs"),
                .equal,
                SQLColumn("dataset_uuid", table: "datasets")
            )
            .where(SQLColumn("run_id", table: "run_dataset_inputs"), .in, SQLBind.group(ids)).orderBy(SQLColumn("name", table: "datasets")).all()
        for row in rows {
            let runID = try row.string("run_id")
            let dataset = Dataset(
                name: try row.string("name"),
                digest: try row.string("digest"),
                sourceType: try row.string("source_type"),
                source: try row.string("source"),
                schema: try row.decode(column: "dataset_schema", as: String?.self),
                profile: try row.decode(column: "dataset_profile", as: String?.self)
            )
            inputs[runID, default: RunInputs()].datasets.append(
                DatasetInput(dataset: dataset, tags: tags["\(runID)/\(try row.string("dataset_uuid"))"] ?? [])
            )
        }
        for row in try await sql.select().columns("run_id", "model_id").from("run_model_inputs").where("run_id", .in, SQLBind.group(ids)).orderBy(
            "model_id"
        ).all() {
            inputs[try row.string("run_id"), default: RunInputs()].modelIDs.append(try row.string("model_id"))
        }
        var outputs: [String: [(modelID: String, step: Int64)]] = [:]
        for row in try await sql.select().columns("run_id", "model_id", "step").from("run_model_outputs").where("run_id", .in, SQLBind.group(ids))
            .orderBy("model_id").all()
        {
            outputs[try row.string("run_id"), default: []].append((try row.string("model_id"), try row.int64("step")))
        }
        return (inputs, outputs)
    }
}
