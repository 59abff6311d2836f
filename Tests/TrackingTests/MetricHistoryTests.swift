import SQLKit
import Storage
import TestSupport
import Testing
import Tracking

/// Metric histories and the metrics of logged models, as MLflow's store keeps and orders them, on
/// SQLite and PostgreSQL.
@Suite("Metric history")
struct MetricHistoryTests {
    static func withStore(_ kind: TestDatabaseKind, _ body: @Sendable (TrackingStore) async throws -> Void) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            try await body(TrackingStore(database: database, now: { 1_700_000_000_000 }))
        }
    }

    @Test("A history reads by timestamp, then step, then value; a repeated measurement is kept once", arguments: TestDatabaseKind.available)
    func order(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            let logged = [
                Metric(key: "loss", value: 4, timestamp: 300, step: 0), Metric(key: "loss", value: 3, timestamp: 100, step: 2),
                Metric(key: "loss", value: 2, timestamp: 100, step: 1), Metric(key: "loss", value: 1.5, timestamp: 200, step: 1),
                Metric(key: "loss", value: 1, timestamp: 100, step: 1), Metric(key: "loss", value: .nan, timestamp: 100, step: 1),
            ]
            try await store.logBatch(runID: run, metrics: logged)
            try await store.logBatch(runID: run, metrics: logged + [Metric(key: "loss", value: 3, timestamp: 100, step: 2)])
            let history = try await store.metricHistory(runID: run, key: "loss", maxResults: nil, offset: 0).metrics
            #expect(history.map(\.timestamp) == [100, 100, 100, 100, 200, 300])
            #expect(history.map(\.step) == [1, 1, 1, 2, 1, 0])
            #expect(history[0].value.isNaN)
            #expect(history.dropFirst().map(\.value) == [1, 2, 3, 1.5, 4])
            #expect(history.allSatisfy { $0.runID == nil && $0.modelID == nil })
        }
    }

    @Test("Metrics logged for a logged model are its metrics, with the run that logged them", arguments: TestDatabaseKind.available)
    func loggedModelMetrics(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            let model = try await store.createLoggedModel(experimentID: "0", name: "model", modelType: nil, sourceRunID: run, params: [], tags: [])
            try await store.logBatch(runID: run, metrics: [Metric(key: "rmse", value: 0.5, timestamp: 10, step: 0)])
            // What the client's log_model does: the run's metrics at the model's step, again, with the model.
            let copied = Metric(key: "rmse", value: 0.5, timestamp: 10, step: 0, modelID: model.id)
            let scored = Metric(key: "accuracy", value: 0.875, timestamp: 11, step: 3, modelID: model.id, datasetName: "test", datasetDigest: "abc")
            try await store.logBatch(runID: run, metrics: [copied, scored])
            try await store.logBatch(runID: run, metrics: [copied])

            let metrics = try await store.loggedModel(id: model.id).metrics
            #expect(
                metrics == [
                    Metric(
                        key: "accuracy",
                        value: 0.875,
                        timestamp: 11,
                        step: 3,
                        modelID: model.id,
                        runID: run,
                        datasetName: "test",
                        datasetDigest: "abc"
                    ),
                    Metric(key: "rmse", value: 0.5, timestamp: 10, step: 0, modelID: model.id, runID: run),
                ]
            )
            #expect(
                try await store.metricHistory(runID: run, key: "rmse", maxResults: nil, offset: 0).metrics == [
                    Metric(key: "rmse", value: 0.5, timestamp: 10, step: 0)
                ]
            )
            #expect(try await store.run(id: run).data.metrics.map(\.key) == ["accuracy", "rmse"])

            // No such model: nothing of the request is logged; MLflow answers its foreign key failure with a 400.
            let unknown = Metric(key: "lost", value: 1, timestamp: 12, step: 0, modelID: "m-0123")
            await #expect(throws: TrackingError(.badRequest, "Invalid model_id 'm-0123': no logged model has this ID.")) {
                try await store.logBatch(runID: run, metrics: [Metric(key: "kept", value: 1, timestamp: 12, step: 0), unknown])
            }
            #expect(try await store.run(id: run).data.metrics.map(\.key) == ["accuracy", "rmse"])
        }
    }

    @Test(
        "Sampled histories: the runs in the order asked, each ordered by step, timestamp and value, cut into even buckets of rows, the last row kept",
        arguments: TestDatabaseKind.available
    )
    func sampled(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            try await store.logBatch(runID: run, metrics: (0..<1000).map { Metric(key: "loss", value: Double($0), timestamp: 1, step: Int64($0)) })
            let sampled = try await store.sampledHistory(runIDs: [run], key: "loss", startStep: nil, endStep: nil, maxResults: 11)
            // NTILE(11) over 1,000 rows: buckets of 91 rows, then 90; the last row replaces the last bucket's first.
            #expect(sampled.map(\.metric.step) == [0, 91, 182, 273, 364, 455, 546, 637, 728, 819, 999])
            #expect(sampled.allSatisfy { $0.runID == run })
            let window = try await store.sampledHistory(runIDs: [run], key: "loss", startStep: 10, endStep: 14, maxResults: 100)
            #expect(window.map(\.metric.step) == [10, 11, 12, 13, 14])
            #expect(
                try await store.sampledHistory(runIDs: [run], key: "loss", startStep: nil, endStep: nil, maxResults: 1).map(\.metric.step) == [999]
            )

            // Rows, not steps, are sampled: many rows of one step do not crowd out the others.
            let other = try await store.createRun(experimentID: "0").info.runID
            try await store.logBatch(
                runID: other,
                metrics: [
                    Metric(key: "loss", value: 4, timestamp: 300, step: 0), Metric(key: "loss", value: 2, timestamp: 100, step: 1),
                    Metric(key: "loss", value: 1.5, timestamp: 200, step: 1), Metric(key: "loss", value: 1, timestamp: 100, step: 1),
                    Metric(key: "loss", value: 3, timestamp: 100, step: 2),
                ]
            )
            let both = try await store.sampledHistory(runIDs: [other, run], key: "loss", startStep: 0, endStep: 2, maxResults: 3)
            #expect(both.map(\.runID) == [other, other, other, run, run, run])
            #expect(both.map { [$0.metric.step, $0.metric.timestamp] } == [[0, 300], [1, 100], [2, 100], [0, 1], [1, 1], [2, 1]])
            #expect(both[1].metric.value == 2)
        }
    }

    @Test(
        "Sampled histories refuse what MLflow refuses",
        arguments: [
            ([], nil, nil, 10, "Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters."),
            (
                Array(repeating: "r", count: 101), nil, nil, 10,
                "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids."
            ),
            (["r"], nil, nil, 2501, "max_results must be between 1 and 2500."),
            (["r"], 5, nil, 10, "If either start step or end step are specified, both must be specified."),
            (["r"], 5, 4, 10, "end_step must be greater than start_step. Found start_step=5 and end_step=4."),
        ] as [([String], Int64?, Int64?, Int, String)]
    )
    func sampledRefusals(runIDs: [String], start: Int64?, end: Int64?, maxResults: Int, message: String) async throws {
        try await Self.withStore(.sqlite) { store in
            await #expect(throws: TrackingError.invalid(message)) {
                _ = try await store.sampledHistory(runIDs: runIDs, key: "loss", startStep: start, endStep: end, maxResults: maxResults)
            }
        }
    }

    @Test(
        "Migrating a database keeps each measurement once and turns metrics logged for a model into its metrics",
        arguments: TestDatabaseKind.available
    )
    func migration(kind: TestDatabaseKind) async throws {
        try await withTestDatabaseURL(kind) { url in
            let before = Array(TrackingMigrations.all.prefix(4))
            let (run, model) = try await withRunning(try await Database.open(url, migrations: before, logger: TestLogger.silent)) { database in
                let run = try await TrackingStore(database: database).createRun(experimentID: "0").info.runID
                let model = "m-0123456789abcdef0123456789abcdef"
                try await database.write { sql in
                    try await sql.insert(into: "logged_models")
                        .columns(
                            "model_id",
                            "experiment_id",
                            "name",
                            "artifact_uri",
                            "creation_timestamp_ms",
                            "last_updated_timestamp_ms",
                            "status",
                            "lifecycle_stage"
                        )
                        .values(
                            SQLBind(model),
                            SQLBind(0),
                            SQLBind("m"),
                            SQLBind("mlflow-artifacts:/0/models/\(model)/artifacts"),
                            SQLBind(1),
                            SQLBind(1),
                            SQLBind("LOGGED_MODEL_READY"),
                            SQLBind("active")
                        )
                        .run()
                    // Before: every metric in the history, with a model or not; a model that does not exist is dropped.
                    for (value, modelID) in [(0.5, nil), (0.5, model), (0.5, nil), (0.25, nil), (0.75, "m-gone")] as [(Double, String?)] {
                        try await sql.insert(into: "metrics").columns("run_id", "key", "step", "timestamp", "value", "is_nan", "model_id")
                            .values(SQLBind(run), SQLBind("rmse"), SQLBind(0), SQLBind(10), SQLBind(value), SQLBind(false), SQLBind(modelID)).run()
                    }
                }
                return (run, model)
            }
            try await withRunning(try await Database.open(url, migrations: TrackingMigrations.all, logger: TestLogger.silent)) {
                database async throws in
                let store = TrackingStore(database: database)
                #expect(try await store.metricHistory(runID: run, key: "rmse", maxResults: nil, offset: 0).metrics.map(\.value) == [0.25, 0.5, 0.75])
                #expect(
                    try await store.loggedModel(id: model).metrics == [
                        Metric(key: "rmse", value: 0.5, timestamp: 10, step: 0, modelID: model, runID: run)
                    ]
                )
            }
        }
    }
}
