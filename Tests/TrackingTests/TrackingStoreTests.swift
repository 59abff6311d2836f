import Storage
import TestSupport
import Testing
import Tracking

/// The tracking store's rules, on SQLite and PostgreSQL.
@Suite("Tracking store")
struct TrackingStoreTests {
    static func withStore(_ kind: TestDatabaseKind, _ body: @Sendable (TrackingStore) async throws -> Void) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            try await body(TrackingStore(database: database, now: { 1_700_000_000_000 }))
        }
    }

    @Test("A new store has the Default experiment 0", arguments: TestDatabaseKind.available)
    func defaultExperiment(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let experiment = try await store.experiment(id: "0")
            #expect(experiment.name == "Default")
            #expect(experiment.artifactLocation == "mlflow-artifacts:/0")
            #expect(try await store.experiment(named: "Default").id == "0")
        }
    }

    @Test("Experiments: create, get, rename, tag, delete, restore", arguments: TestDatabaseKind.available)
    func experiments(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let id = try await store.createExperiment(name: "line", tags: [Tag(key: "team", value: "ml")])
            #expect(id == "1")
            let created = try await store.experiment(id: id)
            #expect(created.artifactLocation == "mlflow-artifacts:/1")
            #expect(created.tags == [Tag(key: "team", value: "ml")])
            await #expect(throws: TrackingError.alreadyExists("Experiment(name=line) already exists.")) {
                _ = try await store.createExperiment(name: "line")
            }
            try await store.renameExperiment(id: id, to: "line-2")
            #expect(try await store.experiment(id: id).name == "line-2")
            try await store.setExperimentTag(id: id, Tag(key: "team", value: "data"))
            #expect(try await store.experiment(id: id).tags == [Tag(key: "team", value: "data")])
            try await store.deleteExperimentTag(id: id, key: "team")
            await #expect(throws: TrackingError.self) { try await store.deleteExperimentTag(id: id, key: "team") }

            let run = try await store.createRun(experimentID: id, runName: "r")
            try await store.deleteExperiment(id: id)
            #expect(try await store.experiment(id: id).lifecycleStage == .deleted)
            #expect(try await store.run(id: run.info.runID).info.lifecycleStage == .deleted)
            await #expect(throws: TrackingError.self) { _ = try await store.createRun(experimentID: id) }
            try await store.restoreExperiment(id: id)
            #expect(try await store.run(id: run.info.runID).info.lifecycleStage == .active)
            await #expect(throws: TrackingError.self) { try await store.deleteExperiment(id: "0") }
        }
    }

    @Test("Bad experiment input is INVALID_PARAMETER_VALUE or 404", arguments: TestDatabaseKind.available)
    func badExperiments(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            await #expect(throws: TrackingError.invalid("Invalid experiment ID 'abc'. Experiment ID must be a valid integer.")) {
                _ = try await store.experiment(id: "abc")
            }
            await #expect(throws: TrackingError.notFound("No Experiment with id=42 exists")) { _ = try await store.experiment(id: "42") }
            await #expect(throws: TrackingError.self) { _ = try await store.createExperiment(name: "") }
            await #expect(throws: TrackingError.self) { _ = try await store.createExperiment(name: String(repeating: "x", count: 501)) }
            await #expect(throws: TrackingError.self) { _ = try await store.createExperiment(name: "a", artifactLocation: "runs:/x") }
        }
    }

    @Test("Runs: names mirror the runName tag; update and delete", arguments: TestDatabaseKind.available)
    func runs(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let named = try await store.createRun(
                experimentID: "0",
                startTime: 5,
                tags: [Tag(key: "mlflow.runName", value: "tagged"), Tag(key: "mlflow.user", value: "alice")]
            )
            #expect(named.info.runName == "tagged")
            #expect(named.info.userID == "alice")
            #expect(named.info.runID.count == 32)
            #expect(named.info.artifactURI == "mlflow-artifacts:/0/\(named.info.runID)/artifacts")
            #expect(named.info.status == .running)
            let random = try await store.createRun(experimentID: "0")
            #expect(random.info.runName.split(separator: "-").count == 3)
            #expect(random.data.tags.contains(Tag(key: "mlflow.runName", value: random.info.runName)))
            await #expect(throws: TrackingError.self) {
                _ = try await store.createRun(experimentID: "0", runName: "a", tags: [Tag(key: "mlflow.runName", value: "b")])
            }
            let info = try await store.updateRun(id: named.info.runID, status: .finished, endTime: 9, runName: "renamed")
            #expect(info.status == .finished && info.endTime == 9 && info.runName == "renamed")
            #expect(try await store.run(id: named.info.runID).data.tags.contains(Tag(key: "mlflow.runName", value: "renamed")))
            try await store.deleteRun(id: named.info.runID)
            await #expect(throws: TrackingError.self) { try await store.logBatch(runID: named.info.runID, params: [Tag(key: "a", value: "1")]) }
            try await store.restoreRun(id: named.info.runID)
            try await store.logBatch(runID: named.info.runID, params: [Tag(key: "a", value: "1")])
            await #expect(throws: TrackingError.notFound("Run with id=0123456789abcdef0123456789abcdef not found")) {
                _ = try await store.run(id: "0123456789abcdef0123456789abcdef")
            }
        }
    }

    @Test("Params are write-once; tags are upserted", arguments: TestDatabaseKind.available)
    func paramsAndTags(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            try await store.logBatch(runID: run, params: [Tag(key: "lr", value: "0.1")], tags: [Tag(key: "t", value: "1")])
            try await store.logBatch(runID: run, params: [Tag(key: "lr", value: "0.1")], tags: [Tag(key: "t", value: "2")])
            let error = await #expect(throws: TrackingError.self) {
                try await store.logBatch(runID: run, params: [Tag(key: "lr", value: "0.2")])
            }
            #expect(error?.message.contains("Changing param values is not allowed") == true)
            await #expect(throws: TrackingError.self) {
                try await store.logBatch(runID: run, params: [Tag(key: "x", value: "1"), Tag(key: "x", value: "1")])
            }
            let data = try await store.run(id: run).data
            #expect(data.params == [Tag(key: "lr", value: "0.1")])
            #expect(data.tags.contains(Tag(key: "t", value: "2")))
            try await store.deleteTag(runID: run, key: "t")
            await #expect(throws: TrackingError.self) { try await store.deleteTag(runID: run, key: "t") }
            let long = String(repeating: "v", count: 7000)
            try await store.logBatch(runID: run, params: [Tag(key: "long", value: long)])
            #expect(try await store.run(id: run).data.params.first { $0.key == "long" }?.value.count == 6000)
        }
    }

    @Test("The latest metric is the one with the greatest (step, timestamp, value)", arguments: TestDatabaseKind.available)
    func latestMetrics(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            try await store.logBatch(
                runID: run,
                metrics: [
                    Metric(key: "loss", value: 3, timestamp: 10, step: 2),
                    Metric(key: "loss", value: 9, timestamp: 99, step: 1),
                    Metric(key: "acc", value: .nan, timestamp: 1, step: 0),
                ]
            )
            try await store.logBatch(runID: run, metrics: [Metric(key: "loss", value: 1, timestamp: 5, step: 2)])
            let metrics = try await store.run(id: run).data.metrics
            #expect(metrics.first { $0.key == "loss" } == Metric(key: "loss", value: 3, timestamp: 10, step: 2))
            #expect(metrics.first { $0.key == "acc" }?.value.isNaN == true)
            try await store.logBatch(runID: run, metrics: [Metric(key: "loss", value: 0.5, timestamp: 1, step: 3)])
            #expect(try await store.run(id: run).data.metrics.first { $0.key == "loss" }?.value == 0.5)
        }
    }

    @Test("Metric history pages through every measurement once", arguments: TestDatabaseKind.available)
    func history(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            let logged = (0..<250).map { Metric(key: "m", value: Double($0) / 3, timestamp: Int64(1000 + $0), step: Int64($0)) }
            try await store.logBatch(runID: run, metrics: Array(logged.prefix(200)))
            try await store.logBatch(
                runID: run,
                metrics: Array(logged.dropFirst(200)) + [Metric(key: "inf", value: .infinity, timestamp: 1, step: 0)]
            )
            var read: [Metric] = []
            var offset = 0
            while true {
                let page = try await store.metricHistory(runID: run, key: "m", maxResults: 64, offset: offset)
                read += page.metrics
                guard let next = page.nextOffset else { break }
                offset = next
            }
            #expect(read == logged)
            #expect(try await store.metricHistory(runID: run, key: "m", maxResults: nil, offset: 0).metrics.count == 250)
            #expect(try await store.metricHistory(runID: run, key: "inf", maxResults: nil, offset: 0).metrics.first?.value == .infinity)
        }
    }

    @Test("Invalid keys and oversized batches are rejected before anything is written", arguments: TestDatabaseKind.available)
    func validation(kind: TestDatabaseKind) async throws {
        try await Self.withStore(kind) { store in
            let run = try await store.createRun(experimentID: "0").info.runID
            for key in ["a b!", "../x", "/abs", "a//b", "", ".", String(repeating: "k", count: 251)] {
                await #expect(throws: TrackingError.self, "\(key)") {
                    try await store.logBatch(runID: run, metrics: [Metric(key: key, value: 1, timestamp: 1, step: 0)])
                }
            }
            let tooMany = (0..<1001).map { Metric(key: "m", value: Double($0), timestamp: 1, step: Int64($0)) }
            await #expect(throws: TrackingError.self) { try await store.logBatch(runID: run, metrics: tooMany) }
            await #expect(throws: TrackingError.self) {
                try await store.logBatch(runID: run, metrics: [Metric(key: "ok", value: 1, timestamp: -1, step: 0)])
            }
            #expect(try await store.run(id: run).data.metrics.isEmpty)
            for key in ["val/loss", "a.b-c d:e", "ünïcode"] {
                try await store.logBatch(runID: run, metrics: [Metric(key: key, value: 1, timestamp: 1, step: 0)])
            }
        }
    }
}

@Suite("Tracking store: inputs and sampled history")
struct TrackingInputsTests {
    @Test("Datasets are stored once per experiment and listed with the run", arguments: TestDatabaseKind.available)
    func datasets(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            let first = try await store.createRun(experimentID: "0").info.runID
            let second = try await store.createRun(experimentID: "0").info.runID
            let input = DatasetInput(
                dataset: Dataset(name: "train", digest: "abc", sourceType: "local", source: "samples.json"),
                tags: [Tag(key: "mlflow.data.context", value: "training")]
            )
            try await store.logInputs(runID: first, datasets: [input], modelIDs: [])
            try await store.logInputs(runID: second, datasets: [input], modelIDs: ["m-1"])
            try await store.logInputs(runID: second, datasets: [input], modelIDs: ["m-1"])
            #expect(try await store.run(id: first).inputs.datasets == [input])
            #expect(try await store.run(id: second).inputs.modelIDs == ["m-1"])
            let found = try await store.searchRuns(
                experimentIDs: ["0"],
                filter: "datasets.digest = 'abc'",
                viewType: .activeOnly,
                maxResults: 10,
                orderBy: [],
                offset: 0
            )
            #expect(Set(found.runs.map(\.info.runID)) == [first, second])
            let tooLong = DatasetInput(dataset: Dataset(name: "d", digest: String(repeating: "x", count: 37), sourceType: "s", source: "s"), tags: [])
            await #expect(throws: TrackingError.self) { try await store.logInputs(runID: first, datasets: [tooLong], modelIDs: []) }
        }
    }
}
