import SQLKit
import Storage

/// Permanent deletion of what users deleted (`flowline tracking gc`, MLflow's `mlflow gc`): the
/// rows of deleted runs and experiments. The caller deletes their artifacts first, so that a run
/// whose artifacts could not be deleted stays, for the next collection.
extension TrackingStore {
    /// A deleted run to collect: its ID and where its artifacts are.
    public struct DeletedRun: Sendable, Equatable {
        public var runID: String
        public var artifactURI: String
    }

    /// A deleted experiment to collect: its ID and the artifact locations of its logged models.
    public struct DeletedExperiment: Sendable, Equatable {
        public var experimentID: String
        public var modelArtifactURIs: [String]
    }

    /// The deleted runs, each deleted at least `olderThan` milliseconds ago, except those a
    /// registered model version was made from; limited to `runIDs` when given (each must be
    /// deleted), and to the runs of `experimentIDs` when given.
    /// - Throws: ``TrackingError`` for a listed run that does not exist or is not deleted.
    public func deletedRuns(olderThan: Int64 = 0, runIDs: [String] = [], experimentIDs: [String] = []) async throws -> [DeletedRun] {
        for id in runIDs { try TrackingValidation.runID(id) }
        let experiments = try experimentIDs.map { try TrackingValidation.experimentID($0) }
        let cutoff = now() - olderThan
        return try await database.read { sql in
            for id in runIDs {
                guard let row = try await sql.select().column("lifecycle_stage").from("runs").where("run_id", .equal, SQLBind(id)).first() else {
                    throw TrackingError.notFound("Run with id=\(id) not found")
                }
                guard try row.string("lifecycle_stage") == LifecycleStage.deleted.rawValue else {
                    throw TrackingError.invalid("Run \(id) is not in the deleted lifecycle stage; only deleted runs can be permanently deleted.")
                }
            }
            // A run a registered version was made from stays: its artifacts are that version's files.
            var query = sql.select().columns("run_id", "artifact_uri").from("runs")
                .where("lifecycle_stage", .equal, SQLBind(LifecycleStage.deleted.rawValue))
                .where(SQLRaw("NOT EXISTS (SELECT 1 FROM model_versions WHERE model_versions.run_id = runs.run_id)"))
                .where(SQLFunction("COALESCE", args: SQLColumn("deleted_time"), SQLLiteral.numeric("0")), .lessThanOrEqual, SQLBind(cutoff))
            if !runIDs.isEmpty { query = query.where("run_id", .in, SQLBind.group(runIDs)) }
            if !experiments.isEmpty { query = query.where("experiment_id", .in, SQLBind.group(experiments)) }
            return try await query.orderBy("run_id").all().map { row in
                DeletedRun(runID: try row.string("run_id"), artifactURI: try row.string("artifact_uri"))
            }
        }
    }

    /// Deletes the run `id` and everything recorded of it, for good (it must be deleted).
    public func purgeRun(id: String) async throws {
        try await database.write { sql in
            guard
                let row = try await sql.select().column("lifecycle_stage").from("runs").where("run_id", .equal, SQLBind(id)).first(),
                try row.string("lifecycle_stage") == LifecycleStage.deleted.rawValue
            else { return }
            for table in [
                "params", "tags", "metrics", "latest_metrics", "run_dataset_input_tags", "run_dataset_inputs", "run_model_inputs",
                "run_model_outputs", "logged_model_metrics",
            ] {
                try await sql.delete(from: table).where("run_id", .equal, SQLBind(id)).run()
            }
            try await sql.delete(from: "runs").where("run_id", .equal, SQLBind(id)).run()
        }
    }

    /// The deleted experiments whose runs are all collected and none of whose logged models is a
    /// registered version, each deleted at least `olderThan` milliseconds ago; limited to
    /// `experimentIDs` when given.
    public func deletedExperiments(olderThan: Int64 = 0, experimentIDs: [String] = []) async throws -> [DeletedExperiment] {
        let experiments = try experimentIDs.map { try TrackingValidation.experimentID($0) }
        let cutoff = now() - olderThan
        return try await database.read { sql in
            var query = sql.select().column("experiment_id").from("experiments")
                .where("lifecycle_stage", .equal, SQLBind(LifecycleStage.deleted.rawValue))
                .where("last_update_time", .lessThanOrEqual, SQLBind(cutoff))
                .where(SQLRaw("NOT EXISTS (SELECT 1 FROM runs WHERE runs.experiment_id = experiments.experiment_id)"))
                .where(
                    SQLRaw(
                        "NOT EXISTS (SELECT 1 FROM model_versions JOIN logged_models ON model_versions.model_id = logged_models.model_id WHERE logged_models.experiment_id = experiments.experiment_id)"
                    )
                )
            if !experiments.isEmpty { query = query.where("experiment_id", .in, SQLBind.group(experiments)) }
            var found: [DeletedExperiment] = []
            for row in try await query.orderBy("experiment_id").all() {
                let id = try row.int64("experiment_id")
                let models = try await sql.select().column("artifact_uri").from("logged_models").where("experiment_id", .equal, SQLBind(id)).all()
                found.append(DeletedExperiment(experimentID: String(id), modelArtifactURIs: try models.map { try $0.string("artifact_uri") }))
            }
            return found
        }
    }

    /// Deletes the experiment `id`, its logged models and datasets, for good (it must be deleted and
    /// hold no runs).
    public func purgeExperiment(id: String) async throws {
        let number = try TrackingValidation.experimentID(id)
        try await database.write { sql in
            guard
                let row = try await sql.select().column("lifecycle_stage").from("experiments").where("experiment_id", .equal, SQLBind(number))
                    .first(),
                try row.string("lifecycle_stage") == LifecycleStage.deleted.rawValue,
                try await sql.select().column("run_id").from("runs").where("experiment_id", .equal, SQLBind(number)).limit(1).first() == nil
            else { return }
            let models = SQLRaw("(SELECT model_id FROM logged_models WHERE experiment_id = \(number))")
            for table in ["logged_model_params", "logged_model_tags", "logged_model_metrics", "run_model_outputs"] {
                try await sql.delete(from: table).where(SQLColumn("model_id"), .in, models).run()
            }
            for table in ["logged_models", "datasets", "experiment_tags", "experiments"] {
                try await sql.delete(from: table).where("experiment_id", .equal, SQLBind(number)).run()
            }
        }
    }
}
