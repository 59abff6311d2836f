public import Foundation
import JSON
import SQLKit
public import Storage
public import Workflow

/// DAGs, runs, task instances, XComs, variables and import errors in Flowline's SQL database.
///
/// Every task-instance state change goes through ``transition(_:to:now:update:)``, which checks it
/// against ``TaskTransitions`` and makes it in one transaction, conditional on the state it read.
public struct OrchestratorStore: Sendable {
    public let database: Database
    /// The name task instances record as their host.
    public let hostname: String
    /// Failed logins, counted for the REST API and the web UI together (``login(_:password:address:)``).
    public let throttle: LoginThrottle
    /// bcrypt, off the request path.
    public let passwords: PasswordHasher

    public init(database: Database, hostname: String = ProcessInfo.processInfo.hostName) {
        self.database = database
        self.hostname = hostname
        throttle = LoginThrottle()
        passwords = PasswordHasher()
    }

    // MARK: DAGs

    /// Changes when another process writes to the database; `nil` where it cannot tell. See
    /// `Database.externalChangeCounter()`.
    public func externalChangeCounter() async throws -> Int? {
        try await database.externalChangeCounter()
    }

    /// Records what the last parse of `dag` found; a new DAG starts paused if its file says so.
    /// - Returns: whether the DAG is paused.
    @discardableResult
    public func sync(_ dag: DAG, source: String, nextRun: DataInterval?, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            let existing = try await sql.select().column("is_paused").from("dags").where("dag_id", .equal, SQLBind(dag.dagID)).first()
            let paused = try existing?.bool("is_paused") ?? dag.pausedUponCreation
            let values: [(column: String, value: any Encodable & Sendable)] = [
                ("fileloc", dag.fileLocation), ("description", dag.description), ("schedule", dag.schedule?.description),
                ("is_active", true), ("tags", JSONValue.array(dag.tags.map { .string($0) }).jsonText),
                ("owners", JSONValue.array(dag.owners.map { .string($0) }).jsonText),
                ("max_active_runs", Int64(dag.maxActiveRuns)), ("max_active_tasks", Int64(dag.maxActiveTasks)),
                ("has_import_errors", false), ("last_parsed_time", now.microseconds),
                ("next_dagrun", nextRun?.start.microseconds), ("next_dagrun_data_interval_start", nextRun?.start.microseconds),
                ("next_dagrun_data_interval_end", nextRun?.end.microseconds), ("source", source),
            ]
            if existing == nil {
                // Servers sharing a database may record a new DAG at once: the second updates it.
                try await sql.insert(into: "dags").columns(["dag_id", "is_paused"] + values.map(\.column))
                    .values([SQLBind(dag.dagID), SQLBind(paused)] + values.map { SQLBind($0.value) })
                    .onConflict(with: "dag_id") { update in
                        values.reduce(update) { $0.set(excludedValueOf: $1.column) }
                    }
                    .run()
            } else {
                var update = sql.update("dags").where("dag_id", .equal, SQLBind(dag.dagID))
                for (column, value) in values { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
                try await update.run()
            }
            return paused
        }
    }

    /// Marks the DAGs whose file is gone (not in `present`) inactive; their history stays.
    public func deactivateDAGs(notIn present: Set<String>) async throws {
        try await database.write { sql in
            let active = try await sql.select().column("dag_id").from("dags").where("is_active", .equal, SQLBind(true)).all().map {
                try $0.string("dag_id")
            }
            let gone = active.filter { !present.contains($0) }
            guard !gone.isEmpty else { return }
            try await sql.update("dags").set("is_active", to: SQLBind(false)).where("dag_id", .in, SQLBind.group(gone)).run()
        }
    }

    /// Replaces the stored import errors with `errors`, keeping the ids of files still failing.
    public func replaceImportErrors(_ errors: [DAGFileError], now: Date = Date()) async throws {
        try await database.write { sql in
            let files = errors.map(\.file)
            if files.isEmpty {
                try await sql.delete(from: "import_errors").run()
            } else {
                try await sql.delete(from: "import_errors").where("filename", .notIn, SQLBind.group(files)).run()
            }
            for error in errors {
                let existing = try await sql.select().column("stack_trace").from("import_errors").where("filename", .equal, SQLBind(error.file))
                    .first()
                if let existing {
                    if try existing.string("stack_trace") != error.description {
                        try await sql.update("import_errors").set("stack_trace", to: SQLBind(error.description)).set(
                            "timestamp",
                            to: SQLBind(now.microseconds)
                        )
                        .where("filename", .equal, SQLBind(error.file)).run()
                    }
                } else {
                    try await sql.insert(into: "import_errors").columns("filename", "timestamp", "stack_trace")
                        .values(SQLBind(error.file), SQLBind(now.microseconds), SQLBind(error.description)).run()
                }
            }
            // A DAG whose file now fails keeps its last good definition, flagged.
            try await sql.update("dags").set("has_import_errors", to: SQLBind(false)).run()
            if !files.isEmpty {
                try await sql.update("dags").set("has_import_errors", to: SQLBind(true)).where("fileloc", .in, SQLBind.group(files)).run()
            }
        }
    }

    public func importErrors() async throws -> [ImportErrorRecord] {
        try await database.read { sql in
            try await sql.select().columns("id", "filename", "timestamp", "stack_trace").from("import_errors").orderBy("filename").all().map { row in
                ImportErrorRecord(
                    id: try row.int64("id"),
                    filename: try row.string("filename"),
                    timestamp: Date(microseconds: try row.int64("timestamp")),
                    message: try row.string("stack_trace")
                )
            }
        }
    }

    public func dags() async throws -> [DagRecord] {
        try await database.read { sql in
            try await sql.select().column("*").from("dags").orderBy("dag_id").all().map(Self.dagRecord)
        }
    }

    public func dag(_ dagID: String) async throws -> DagRecord {
        try await database.read { sql in
            guard let row = try await sql.select().column("*").from("dags").where("dag_id", .equal, SQLBind(dagID)).first() else {
                throw OrchestratorError.notFound("The DAG with dag_id: `\(dagID)` was not found")
            }
            return try Self.dagRecord(row)
        }
    }

    public func pausedDAGIDs() async throws -> Set<String> {
        try await database.readStatement { sql in
            Set(try await sql.select().column("dag_id").from("dags").where("is_paused", .equal, SQLBind(true)).all().map { try $0.string("dag_id") })
        }
    }

    public func setPaused(_ dagID: String, _ paused: Bool) async throws {
        try await database.write { sql in
            guard try await sql.select().column("dag_id").from("dags").where("dag_id", .equal, SQLBind(dagID)).first() != nil else {
                throw OrchestratorError.notFound("The DAG with dag_id: `\(dagID)` was not found")
            }
            try await sql.update("dags").set("is_paused", to: SQLBind(paused)).where("dag_id", .equal, SQLBind(dagID)).run()
        }
    }

    static func dagRecord(_ row: any SQLRow) throws -> DagRecord {
        let start = try row.optionalInt64("next_dagrun_data_interval_start")
        let end = try row.optionalInt64("next_dagrun_data_interval_end")
        return DagRecord(
            dagID: try row.string("dag_id"),
            fileLocation: try row.string("fileloc"),
            description: try row.optionalString("description"),
            schedule: try row.optionalString("schedule"),
            isPaused: try row.bool("is_paused"),
            isActive: try row.bool("is_active"),
            tags: Self.strings(try row.string("tags")),
            owners: Self.strings(try row.string("owners")),
            maxActiveRuns: Int(try row.int64("max_active_runs")),
            maxActiveTasks: Int(try row.int64("max_active_tasks")),
            hasImportErrors: try row.bool("has_import_errors"),
            lastParsedTime: Date(microseconds: try row.int64("last_parsed_time")),
            nextRun: start.flatMap { start in end.map { DataInterval(start: Date(microseconds: start), end: Date(microseconds: $0)) } }
        )
    }

    static func strings(_ json: String) -> [String] {
        guard case .array(let values)? = try? JSONParser.parse(Array(json.utf8)) else { return [] }
        return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    static func object(_ json: String) -> [String: JSONValue] {
        guard case .object(let members)? = try? JSONParser.parse(Array(json.utf8)) else { return [:] }
        return members
    }

    // MARK: Variables

    public func variables() async throws -> [VariableRecord] {
        try await database.read { sql in
            try await sql.select().columns("key", "value", "description").from("variables").orderBy("key").all().map { row in
                VariableRecord(key: try row.string("key"), value: try row.string("value"), description: try row.optionalString("description"))
            }
        }
    }

    /// The variable `key`, or `nil` when there is none (a database failure still throws).
    public func existingVariable(_ key: String) async throws -> VariableRecord? {
        do {
            return try await variable(key)
        } catch OrchestratorError.notFound {
            return nil
        }
    }

    public func variable(_ key: String) async throws -> VariableRecord {
        try await database.read { sql in
            guard let row = try await sql.select().columns("key", "value", "description").from("variables").where("key", .equal, SQLBind(key)).first()
            else {
                throw OrchestratorError.notFound("Variable with key `\(key)` was not found")
            }
            return VariableRecord(key: try row.string("key"), value: try row.string("value"), description: try row.optionalString("description"))
        }
    }

    /// Creates or replaces a variable.
    /// Sets a variable, creating or replacing it.
    /// - Parameter onlyIfNew: refuse (``OrchestratorError/conflict(_:)``) when the key exists,
    ///   checked in the same transaction as the write.
    public func setVariable(_ key: String, value: String, description: String? = nil, onlyIfNew: Bool = false) async throws {
        let length = key.unicodeScalars.count
        guard length > 0, length <= VariableRecord.maximumKeyLength,
            !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw OrchestratorError.invalid(
                "a variable key must be 1 to \(VariableRecord.maximumKeyLength) characters, none of them a control character"
            )
        }
        guard !value.utf8.contains(0), !(description ?? "").utf8.contains(0) else {
            throw OrchestratorError.invalid("a variable's value and description cannot hold a NUL character")
        }
        try await database.write { sql in
            if onlyIfNew, try await sql.select().column("key").from("variables").where("key", .equal, SQLBind(key)).first() != nil {
                throw OrchestratorError.conflict("The Variable with key: `\(key)` already exists")
            }
            try await sql.delete(from: "variables").where("key", .equal, SQLBind(key)).run()
            try await sql.insert(into: "variables").columns("key", "value", "description", "updated_at")
                .values(SQLBind(key), SQLBind(value), SQLBind(description), SQLBind(Date().microseconds)).run()
        }
    }

    /// Sets a variable that `flowline up` keeps pointing at its own services (`samples_url`,
    /// `tracking_uri`), unless the user has set it themselves.
    public func setStackVariable(_ key: String, value: String) async throws {
        let marker = "set by flowline up"
        if let existing = try await existingVariable(key), existing.description != marker { return }
        try await setVariable(key, value: value, description: marker)
    }

    public func deleteVariable(_ key: String) async throws {
        try await database.write { sql in
            guard try await sql.select().column("key").from("variables").where("key", .equal, SQLBind(key)).first() != nil else {
                throw OrchestratorError.notFound("Variable with key `\(key)` was not found")
            }
            try await sql.delete(from: "variables").where("key", .equal, SQLBind(key)).run()
        }
    }
}
