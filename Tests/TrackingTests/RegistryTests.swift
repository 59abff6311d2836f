import Storage
import Synchronization
import TestSupport
import Testing
import Tracking

/// The model registry's rules, on SQLite and PostgreSQL.
@Suite("Model registry")
struct RegistryTests {
    @Test("Versions, aliases, stages, rename and delete", arguments: TestDatabaseKind.available)
    func lifecycle(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            let run = try await store.createRun(experimentID: "0").info.runID
            _ = try await store.createRegisteredModel(name: "line", description: "a line", tags: [Tag(key: "team", value: "ml")])
            await #expect(throws: TrackingError.alreadyExists("Registered Model (name=line) already exists.")) {
                _ = try await store.createRegisteredModel(name: "line")
            }
            let first = try await store.createModelVersion(
                name: "line",
                source: "runs:/\(run)/model",
                runID: run,
                tags: [],
                runLink: nil,
                description: nil,
                modelID: nil
            )
            let second = try await store.createModelVersion(
                name: "line",
                source: "mlflow-artifacts:/0/x",
                runID: nil,
                tags: [Tag(key: "k", value: "v")],
                runLink: nil,
                description: "two",
                modelID: nil
            )
            #expect(first.version == "1" && second.version == "2" && first.currentStage == "None" && first.status == "READY")
            await #expect(throws: TrackingError.self) {
                _ = try await store.createModelVersion(
                    name: "line",
                    source: "runs:/other/model",
                    runID: run,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: nil
                )
            }
            await #expect(throws: TrackingError.self) {
                _ = try await store.createModelVersion(
                    name: "missing",
                    source: "s",
                    runID: nil,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: nil
                )
            }

            try await store.setAlias(name: "line", alias: "champion", version: "1")
            #expect(try await store.modelVersion(name: "line", alias: "champion").version == "1")
            try await store.setAlias(name: "line", alias: "champion", version: "2")
            #expect(try await store.modelVersion(name: "line", version: "2").aliases == ["champion"])
            for reserved in ["latest", "LATEST", "v3", "V10", "", "bad alias"] {
                await #expect(throws: TrackingError.self, "\(reserved)") { try await store.setAlias(name: "line", alias: reserved, version: "1") }
            }
            await #expect(throws: TrackingError.self) { try await store.setAlias(name: "line", alias: "next", version: "9") }

            _ = try await store.transitionStage(name: "line", version: "1", stage: "production", archiveExisting: false)
            _ = try await store.transitionStage(name: "line", version: "2", stage: "Production", archiveExisting: true)
            #expect(try await store.modelVersion(name: "line", version: "1").currentStage == "Archived")
            let latest = try await store.latestVersions(name: "line", stages: [])
            #expect(latest.map(\.currentStage) == ["Production", "Archived"])

            let renamed = try await store.renameRegisteredModel(name: "line", to: "line-2")
            #expect(renamed.aliases.map(\.alias) == ["champion"] && renamed.tags == [Tag(key: "team", value: "ml")])
            #expect(try await store.modelVersion(name: "line-2", version: "2").tags == [Tag(key: "k", value: "v")])

            try await store.deleteModelVersion(name: "line-2", version: "2")
            await #expect(throws: TrackingError.self) { _ = try await store.modelVersion(name: "line-2", alias: "champion") }
            try await store.deleteRegisteredModel(name: "line-2")
            await #expect(throws: TrackingError.notFound("Registered Model with name=line-2 not found")) {
                _ = try await store.registeredModel(name: "line-2")
            }
        }
    }

    @Test(
        "Writes that may move aliases tell the model's name once committed; failed and other writes tell nothing",
        arguments: TestDatabaseKind.available
    )
    func aliasMoves(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let told = Mutex<[String]>([])
            let store = TrackingStore(database: database, aliasesMoved: { model in told.withLock { $0.append(model) } })
            _ = try await store.createRegisteredModel(name: "line")
            for _ in 0..<2 {
                _ = try await store.createModelVersion(
                    name: "line",
                    source: "mlflow-artifacts:/0/x",
                    runID: nil,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: nil
                )
            }
            #expect(told.withLock { $0 }.isEmpty)
            try await store.setAlias(name: "line", alias: "champion", version: "1")
            await #expect(throws: TrackingError.self) { try await store.setAlias(name: "line", alias: "champion", version: "9") }
            try await store.deleteAlias(name: "line", alias: "champion")
            try await store.deleteModelVersion(name: "line", version: "1")
            _ = try await store.renameRegisteredModel(name: "line", to: "line-2")
            try await store.deleteRegisteredModel(name: "line-2")
            #expect(told.withLock { $0 } == ["line", "line", "line", "line", "line-2", "line-2"])
        }
    }

    @Test("Searching models and versions", arguments: TestDatabaseKind.available)
    func search(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            for name in ["alpha", "beta", "prompt"] {
                _ = try await store.createRegisteredModel(
                    name: name,
                    tags: name == "prompt" ? [Tag(key: "mlflow.prompt.is_prompt", value: "true")] : []
                )
                for _ in 0..<2 {
                    _ = try await store.createModelVersion(
                        name: name,
                        source: "mlflow-artifacts:/0/\(name)",
                        runID: nil,
                        tags: [],
                        runLink: nil,
                        description: nil,
                        modelID: nil
                    )
                }
            }
            let notPrompts = try await store.searchRegisteredModels(
                filter: "tags.`mlflow.prompt.is_prompt` != 'true'",
                maxResults: 100,
                orderBy: [],
                offset: 0
            )
            #expect(notPrompts.models.map(\.name) == ["alpha", "beta"])
            let versions = try await store.searchModelVersions(filter: "name = 'beta'", maxResults: 100, orderBy: [], offset: 0)
            #expect(versions.versions.map(\.version) == ["2", "1"])
            let paged = try await store.searchModelVersions(filter: "version_number >= 1", maxResults: 4, orderBy: ["name DESC"], offset: 0)
            #expect(paged.versions.count == 4 && paged.nextOffset == 4 && paged.versions.first?.name == "prompt")
            await #expect(throws: TrackingError.self) {
                _ = try await store.searchRegisteredModels(filter: "run_id = 'x'", maxResults: 100, orderBy: [], offset: 0)
            }
        }
    }

    @Test(
        "A version of a logged model takes the model's run and where its files are, as MLflow's registry does",
        arguments: TestDatabaseKind.available
    )
    func versionOfLoggedModel(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            let run = try await store.createRun(experimentID: "0").info.runID
            let model = try await store.createLoggedModel(experimentID: "0", name: "model", modelType: nil, sourceRunID: run, params: [], tags: [])
            _ = try await store.createRegisteredModel(name: "line")
            // What mlflow.<flavor>.log_model(registered_model_name=…) sends: the model, no run.
            let version = try await store.createModelVersion(
                name: "line",
                source: "models:/\(model.id)",
                runID: nil,
                tags: [],
                runLink: nil,
                description: nil,
                modelID: model.id
            )
            #expect(version.runID == run)
            #expect(version.source == "models:/\(model.id)" && version.downloadURI == model.artifactURI)
            #expect(try await store.modelVersion(name: "line", version: "1") == version)
            #expect(try await store.loggedModel(id: model.id).tags == [Tag(key: "mlflow.modelVersions", value: #"[{"name": "line", "version": 1}]"#)])
            // A run given is kept; a version of a run's files is its own download location.
            let other = try await store.createRun(experimentID: "0").info.runID
            #expect(
                try await store.createModelVersion(
                    name: "line",
                    source: "models:/\(model.id)",
                    runID: other,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: model.id
                ).runID == other
            )
            let files = try await store.createModelVersion(
                name: "line",
                source: "mlflow-artifacts:/0/\(run)/artifacts/model",
                runID: run,
                tags: [],
                runLink: nil,
                description: nil,
                modelID: nil
            )
            #expect(files.storageLocation == nil && files.downloadURI == files.source)

            let sourceNotModel = TrackingError.invalid(
                "Invalid model version source: 'models:/\(model.id)'. The model_id request parameter must identify the resource that contains the source."
            )
            for modelID in [nil, "m-other"] as [String?] {
                await #expect(throws: sourceNotModel, "\(modelID ?? "no model_id")") {
                    _ = try await store.createModelVersion(
                        name: "line",
                        source: "models:/\(model.id)",
                        runID: nil,
                        tags: [],
                        runLink: nil,
                        description: nil,
                        modelID: modelID
                    )
                }
            }
            await #expect(
                throws: TrackingError.invalid(
                    "Invalid model version source: 'models:/m-gone'. The model_id request parameter must identify the resource that contains the source."
                )
            ) {
                _ = try await store.createModelVersion(
                    name: "line",
                    source: "models:/m-gone",
                    runID: nil,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: "m-gone"
                )
            }
            await #expect(
                throws: TrackingError.invalid(
                    "Invalid model version source: 'runs:/\(run)/model'. The model_id request parameter must identify the resource that contains the source."
                )
            ) {
                _ = try await store.createModelVersion(
                    name: "line",
                    source: "runs:/\(run)/model",
                    runID: run,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: model.id
                )
            }
        }
    }

    @Test(
        "Reading an alias: a missing alias is INVALID_PARAMETER_VALUE, a missing model 404, latest the newest version",
        arguments: TestDatabaseKind.available
    )
    func readingAliases(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            _ = try await store.createRegisteredModel(name: "line")
            await #expect(throws: TrackingError.notFound("Latest version not found for model line.")) {
                _ = try await store.modelVersion(name: "line", alias: "latest")
            }
            for _ in 0..<3 {
                _ = try await store.createModelVersion(
                    name: "line",
                    source: "mlflow-artifacts:/0/x",
                    runID: nil,
                    tags: [],
                    runLink: nil,
                    description: nil,
                    modelID: nil
                )
            }
            try await store.setAlias(name: "line", alias: "champion", version: "2")
            #expect(try await store.modelVersion(name: "line", alias: "champion").version == "2")
            #expect(try await store.modelVersion(name: "line", alias: "LATEST").version == "3")
            await #expect(throws: TrackingError.invalid("Registered model alias missing not found.")) {
                _ = try await store.modelVersion(name: "line", alias: "missing")
            }
            await #expect(throws: TrackingError.invalid("Registered model alias name cannot be empty.")) {
                _ = try await store.modelVersion(name: "line", alias: "")
            }
            await #expect(throws: TrackingError.self) { _ = try await store.modelVersion(name: "line", alias: "bad alias") }
            await #expect(throws: TrackingError.notFound("Registered Model with name=other not found")) {
                _ = try await store.modelVersion(name: "other", alias: "champion")
            }
            try await store.deleteModelVersion(name: "line", version: "2")
            await #expect(throws: TrackingError.invalid("Registered model alias champion not found.")) {
                _ = try await store.modelVersion(name: "line", alias: "champion")
            }
        }
    }

    /// PostgreSQL only: an SQLite file has one server (`DatabaseServerLock`).
    @Test("Two servers on one database creating versions of a model at once give out each number once", arguments: [TestDatabaseKind.postgresql])
    func concurrentVersions(kind: TestDatabaseKind) async throws {
        try await withTestDatabaseURL(kind) { url in
            let open = { try await Database.open(url, migrations: TrackingMigrations.all, logger: TestLogger.silent) }
            let first = try await open()
            let second = try await open()
            try await withRunning(first) { first in
                try await withRunning(second) { second in
                    let stores = [TrackingStore(database: first), TrackingStore(database: second)]
                    let run = try await stores[0].createRun(experimentID: "0").info.runID
                    _ = try await stores[0].createRegisteredModel(name: "raced")
                    let versions = try await withThrowingTaskGroup(of: String.self) { group in
                        for index in 0..<60 {
                            group.addTask {
                                try await stores[index % 2].createModelVersion(
                                    name: "raced",
                                    source: "runs:/\(run)/model",
                                    runID: run,
                                    tags: [],
                                    runLink: nil,
                                    description: nil,
                                    modelID: nil
                                ).version
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(versions.compactMap { Int($0) }.sorted() == Array(1...60))
                }
            }
        }
    }
}
