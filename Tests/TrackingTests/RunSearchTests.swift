import Storage
import TestSupport
import Testing
import Tracking

/// MLflow's search semantics for runs and experiments, on SQLite and PostgreSQL.
@Suite("Run and experiment search")
struct RunSearchTests {
    /// Ten runs: `i` in 0..<10, metric `acc` = i/10 (run 7's is NaN, run 9 has none), param
    /// `model` = "linear" for even i else "Poly", tag `team` only on i < 5, start time 1000 + i.
    static func withRuns(_ kind: TestDatabaseKind, _ body: @Sendable (TrackingStore, [String]) async throws -> Void) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            var ids: [String] = []
            for i in 0..<10 {
                let run = try await store.createRun(experimentID: "0", runName: "run-\(i)", startTime: Int64(1000 + i))
                var metrics: [Metric] = []
                if i != 9 { metrics.append(Metric(key: "acc", value: i == 7 ? .nan : Double(i) / 10, timestamp: 1, step: 0)) }
                try await store.logBatch(
                    runID: run.info.runID,
                    metrics: metrics,
                    params: [Tag(key: "model", value: i % 2 == 0 ? "linear" : "Poly")],
                    tags: i < 5 ? [Tag(key: "team", value: "t\(i)")] : []
                )
                ids.append(run.info.runID)
            }
            try await body(store, ids)
        }
    }

    static func names(_ store: TrackingStore, _ filter: String, orderBy: [String] = [], max: Int = 1000) async throws -> [String] {
        try await store.searchRuns(experimentIDs: ["0"], filter: filter, viewType: .activeOnly, maxResults: max, orderBy: orderBy, offset: 0)
            .runs.map(\.info.runName)
    }

    @Test("Filters on metrics, params, tags and attributes", arguments: TestDatabaseKind.available)
    func filters(kind: TestDatabaseKind) async throws {
        try await Self.withRuns(kind) { store, ids async throws in
            #expect(try await Self.names(store, "metrics.acc >= 0.75") == ["run-8"])
            #expect(try await Self.names(store, "metrics.acc < 0.2").sorted() == ["run-0", "run-1"])
            #expect(try await Self.names(store, "params.model = 'linear' AND metrics.acc > 0.3") == ["run-8", "run-6", "run-4"])
            #expect(try await Self.names(store, "params.model LIKE 'p%'").isEmpty)
            #expect(try await Self.names(store, "params.model ILIKE 'p%'").count == 5)
            #expect(try await Self.names(store, "tags.team IS NULL").count == 5)
            #expect(try await Self.names(store, "tags.team != 't1'").count == 4)
            #expect(try await Self.names(store, "attributes.run_name = 'run-3'") == ["run-3"])
            #expect(try await Self.names(store, "run_id IN ('\(ids[2])', '\(ids[5])')") == ["run-5", "run-2"])
            #expect(try await Self.names(store, "attributes.start_time > 1007") == ["run-9", "run-8"])
            #expect(try await Self.names(store, "status = 'RUNNING'").count == 10)
            #expect(try await Self.names(store, "params.model = 'x'' OR 1=1 --'").isEmpty)
        }
    }

    @Test("Ordering: metrics with NaN then missing last, params, attributes; default newest first", arguments: TestDatabaseKind.available)
    func ordering(kind: TestDatabaseKind) async throws {
        try await Self.withRuns(kind) { store, _ async throws in
            #expect(try await Self.names(store, "").first == "run-9")
            let ascending = try await Self.names(store, "", orderBy: ["metrics.acc ASC"])
            #expect(ascending == ["run-0", "run-1", "run-2", "run-3", "run-4", "run-5", "run-6", "run-8", "run-7", "run-9"])
            let descending = try await Self.names(store, "", orderBy: ["metrics.`acc` DESC"])
            #expect(descending == ["run-8", "run-6", "run-5", "run-4", "run-3", "run-2", "run-1", "run-0", "run-7", "run-9"])
            #expect(try await Self.names(store, "", orderBy: ["params.model", "attributes.start_time ASC"]).prefix(2) == ["run-1", "run-3"])
            #expect(try await Self.names(store, "", orderBy: ["start_time"]).first == "run-0")
        }
    }

    @Test("Paging returns every run exactly once", arguments: TestDatabaseKind.available)
    func paging(kind: TestDatabaseKind) async throws {
        try await Self.withRuns(kind) { store, ids async throws in
            var seen: [String] = []
            var offset = 0
            while true {
                let page = try await store.searchRuns(
                    experimentIDs: ["0"],
                    filter: "",
                    viewType: .activeOnly,
                    maxResults: 3,
                    orderBy: ["metrics.acc DESC"],
                    offset: offset
                )
                seen += page.runs.map(\.info.runID)
                guard let next = page.nextOffset else { break }
                offset = next
            }
            #expect(seen.count == 10 && Set(seen) == Set(ids))
        }
    }

    @Test("Deleted runs follow the view type", arguments: TestDatabaseKind.available)
    func viewTypes(kind: TestDatabaseKind) async throws {
        try await Self.withRuns(kind) { store, ids async throws in
            try await store.deleteRun(id: ids[0])
            let active = try await store.searchRuns(experimentIDs: ["0"], filter: "", viewType: .activeOnly, maxResults: 100, orderBy: [], offset: 0)
            let deleted = try await store.searchRuns(
                experimentIDs: ["0"],
                filter: "",
                viewType: .deletedOnly,
                maxResults: 100,
                orderBy: [],
                offset: 0
            )
            let all = try await store.searchRuns(experimentIDs: ["0"], filter: "", viewType: .all, maxResults: 100, orderBy: [], offset: 0)
            #expect(active.runs.count == 9 && deleted.runs.map(\.info.runID) == [ids[0]] && all.runs.count == 10)
        }
    }

    @Test(
        "Invalid searches are INVALID_PARAMETER_VALUE",
        arguments: [
            ("metrics.acc = 'high'", [String]()), ("params.model > 1", []), ("foo.bar = 'x'", []), ("attributes.color = 'red'", []),
            ("run_name IN ('a')", []), ("metrics.acc IS NULL", []), ("", ["metrics.acc", "metrics.acc DESC"]), ("", ["metrics.acc sideways"]),
            ("", ["attributes.color"]),
        ]
    )
    func invalid(filter: String, orderBy: [String]) async throws {
        try await Self.withRuns(.sqlite) { store, _ async throws in
            let error = await #expect(throws: TrackingError.self) { _ = try await Self.names(store, filter, orderBy: orderBy) }
            #expect(error?.code == .invalidParameterValue)
        }
    }

    @Test("Experiments: filters, order and paging", arguments: TestDatabaseKind.available)
    func experiments(kind: TestDatabaseKind) async throws {
        try await withTestDatabase(kind, migrations: TrackingMigrations.all) { database in
            let store = TrackingStore(database: database)
            for name in ["alpha", "beta", "Gamma"] {
                _ = try await store.createExperiment(name: name, tags: name == "beta" ? [Tag(key: "team", value: "ml")] : [])
            }
            func search(_ filter: String, _ orderBy: [String] = []) async throws -> [String] {
                try await store.searchExperiments(filter: filter, viewType: .activeOnly, maxResults: 100, orderBy: orderBy, offset: 0).experiments
                    .map(\.name)
            }
            #expect(try await search("", ["name ASC"]) == ["Default", "Gamma", "alpha", "beta"])
            #expect(try await search("name LIKE 'a%'") == ["alpha"])
            #expect(try await search("name ILIKE 'g%'") == ["Gamma"])
            #expect(try await search("tags.team = 'ml'") == ["beta"])
            #expect(try await search("experiment_id IN ('0', '2')", ["experiment_id"]) == ["Default", "beta"])
            let first = try await store.searchExperiments(filter: "", viewType: .all, maxResults: 3, orderBy: ["name"], offset: 0)
            #expect(first.experiments.count == 3 && first.nextOffset == 3)
            await #expect(throws: TrackingError.self) {
                _ = try await store.searchExperiments(filter: "", viewType: .all, maxResults: 0, orderBy: [], offset: 0)
            }
        }
    }
}
