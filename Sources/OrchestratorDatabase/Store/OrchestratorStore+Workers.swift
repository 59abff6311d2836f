import Crypto
public import Foundation
public import JSON
import SQLKit
import Storage
public import Workflow

extension OrchestratorStore {
    // MARK: Workers

    /// Records that worker `name` is (again) alive, creating it on first contact; its counters and
    /// maintenance flag survive restarts.
    /// - Returns: the tries the store still gives to `name`: held by an earlier life of the worker,
    ///   they were lost with it.
    public func registerWorker(
        _ name: String,
        kind: WorkerRecord.Kind,
        hostname: String,
        queues: [String],
        concurrency: Int,
        version: String,
        tokenName: String?,
        now: Date = Date()
    ) async throws -> [TaskInstance] {
        try await database.write { sql in
            let queuesText = JSONValue.array(queues.map { .string($0) }).jsonText
            if try await sql.select().column("name").from("workers").where("name", .equal, SQLBind(name)).first() != nil {
                try await sql.update("workers")
                    .set("kind", to: SQLBind(kind.rawValue)).set("hostname", to: SQLBind(hostname)).set("queues", to: SQLBind(queuesText))
                    .set("concurrency", to: SQLBind(Int64(concurrency))).set("state", to: SQLBind(WorkerRecord.State.idle.rawValue))
                    .set("version", to: SQLBind(version)).set("token_name", to: SQLBind(tokenName))
                    .set("registered_at", to: SQLBind(now.microseconds)).set("last_heartbeat", to: SQLBind(now.microseconds))
                    .where("name", .equal, SQLBind(name)).run()
            } else {
                try await sql.insert(into: "workers")
                    .columns(
                        "name",
                        "kind",
                        "hostname",
                        "queues",
                        "concurrency",
                        "state",
                        "maintenance",
                        "version",
                        "token_name",
                        "registered_at",
                        "last_heartbeat",
                        "succeeded",
                        "failed"
                    )
                    .values(
                        SQLBind(name),
                        SQLBind(kind.rawValue),
                        SQLBind(hostname),
                        SQLBind(queuesText),
                        SQLBind(Int64(concurrency)),
                        SQLBind(WorkerRecord.State.idle.rawValue),
                        SQLBind(false),
                        SQLBind(version),
                        SQLBind(tokenName),
                        SQLBind(now.microseconds),
                        SQLBind(now.microseconds),
                        SQLBind(Int64(0)),
                        SQLBind(Int64(0))
                    ).run()
            }
            return try await Self.heldTries(sql, worker: name)
        }
    }

    /// Records a heartbeat of worker `name`, which reports `state` (idle, running, maintenance or
    /// stopped).
    /// - Returns: whether it should be in maintenance, or `nil` when no worker has that name (it
    ///   must register again).
    public func heartbeat(worker name: String, state: WorkerRecord.State, now: Date = Date()) async throws -> Bool? {
        try await database.write { sql in
            let rows = try await sql.update("workers").set("state", to: SQLBind(state.rawValue)).set("last_heartbeat", to: SQLBind(now.microseconds))
                .where("name", .equal, SQLBind(name)).returning("maintenance").all()
            return try rows.first?.bool("maintenance")
        }
    }

    /// Whether worker `name` should take no new tries; `nil` for an unknown worker or one marked
    /// offline or stopped (it must register again).
    public func maintenance(of name: String) async throws -> Bool? {
        try await database.readStatement { sql in
            guard let row = try await sql.select().columns("maintenance", "state").from("workers").where("name", .equal, SQLBind(name)).first(),
                ![WorkerRecord.State.offline.rawValue, WorkerRecord.State.stopped.rawValue].contains(try row.string("state"))
            else { return nil }
            return try row.bool("maintenance")
        }
    }

    /// Asks worker `name` to take no new tries (or to take them again).
    /// - Throws: ``OrchestratorError/notFound(_:)`` for an unknown worker.
    public func setMaintenance(worker name: String, _ on: Bool, comment: String?) async throws {
        try await database.write { sql in
            let rows = try await sql.update("workers").set("maintenance", to: SQLBind(on)).set("maintenance_comment", to: SQLBind(on ? comment : nil))
                .where("name", .equal, SQLBind(name)).returning("name").all()
            guard !rows.isEmpty else { throw OrchestratorError.notFound("Worker `\(name)` was not found") }
        }
    }

    /// Marks worker `name` as `state` (offline when its tries were taken from it).
    public func markWorker(_ name: String, as state: WorkerRecord.State) async throws {
        try await database.write { sql in
            try await sql.update("workers").set("state", to: SQLBind(state.rawValue)).where("name", .equal, SQLBind(name)).run()
        }
    }

    /// Every worker, with the tries it holds, by name.
    public func workers() async throws -> [WorkerRecord] {
        try await database.read { sql in
            var held: [String: [String]] = [:]
            for row in try await sql.select().columns("worker", "dag_id", "run_id", "task_id", "try_number").from("task_instances")
                .where("state", .equal, SQLBind(TaskState.running.rawValue)).where("worker", .isNot, SQLLiteral.null).all()
            {
                let key = WorkerRecord.tryLabel(
                    dagID: try row.string("dag_id"),
                    runID: try row.string("run_id"),
                    taskID: try row.string("task_id"),
                    tryNumber: Int(try row.int64("try_number"))
                )
                held[try row.string("worker"), default: []].append(key)
            }
            return try await sql.select().column("*").from("workers").orderBy("name").all().map { row in
                var record = try Self.workerRecord(row)
                record.runningTries = (held[record.name] ?? []).sorted()
                return record
            }
        }
    }

    /// The worker `name` with the tries it holds, or `nil`.
    public func worker(named name: String) async throws -> WorkerRecord? {
        try await database.read { sql in
            guard let row = try await sql.select().column("*").from("workers").where("name", .equal, SQLBind(name)).first() else { return nil }
            var record = try Self.workerRecord(row)
            record.runningTries = try await Self.heldTries(sql, worker: name).filter { $0.state == .running }
                .map { WorkerRecord.tryLabel(dagID: $0.dagID, runID: $0.runID, taskID: $0.taskID, tryNumber: $0.tryNumber) }.sorted()
            return record
        }
    }

    /// Workers whose heartbeat is older than `cutoff` that are not yet marked offline, or still
    /// hold tries (a claim that a dead worker's last long poll made after it was marked).
    public func silentWorkers(since cutoff: Date) async throws -> [WorkerRecord] {
        try await database.read { sql in
            let holders = Set(
                try await sql.select().distinct().column("worker").from("task_instances").where("state", .equal, SQLBind(TaskState.running.rawValue))
                    .where("worker", .isNot, SQLLiteral.null).all().map { try $0.string("worker") }
            )
            return try await sql.select().column("*").from("workers").where("last_heartbeat", .lessThan, SQLBind(cutoff.microseconds)).all()
                .map(Self.workerRecord)
                .filter { holders.contains($0.name) || ($0.reportedState != .offline && $0.reportedState != .stopped) }
        }
    }

    /// The running tries worker `name` holds.
    public func heldTries(worker name: String) async throws -> [TaskInstance] {
        try await database.readStatement { sql in try await Self.heldTries(sql, worker: name) }
    }

    static func heldTries(_ sql: any SQLDatabase, worker name: String) async throws -> [TaskInstance] {
        try await sql.select().column("*").from("task_instances").where("worker", .equal, SQLBind(name))
            .where("state", .in, SQLBind.group([TaskState.running.rawValue, TaskState.queued.rawValue])).all().map(Self.taskInstance)
    }

    static func workerRecord(_ row: any SQLRow) throws -> WorkerRecord {
        WorkerRecord(
            name: try row.string("name"),
            kind: WorkerRecord.Kind(rawValue: try row.string("kind")) ?? .remote,
            hostname: try row.string("hostname"),
            queues: strings(try row.string("queues")),
            concurrency: Int(try row.int64("concurrency")),
            reportedState: WorkerRecord.State(rawValue: try row.string("state")) ?? .idle,
            maintenance: try row.bool("maintenance"),
            maintenanceComment: try row.optionalString("maintenance_comment"),
            version: try row.string("version"),
            tokenName: try row.optionalString("token_name"),
            registeredAt: Date(microseconds: try row.int64("registered_at")),
            lastHeartbeat: Date(microseconds: try row.int64("last_heartbeat")),
            succeeded: Int(try row.int64("succeeded")),
            failed: Int(try row.int64("failed"))
        )
    }

    // MARK: Claiming

    /// Whether a try waits in one of `queues` for a worker.
    public func hasClaimableTries(in queues: [String]) async throws -> Bool {
        guard !queues.isEmpty else { return false }
        return try await database.readStatement { sql in
            try await sql.select().column("id").from("task_instances").where("state", .equal, SQLBind(TaskState.queued.rawValue))
                .where("worker", .is, SQLLiteral.null).where("queue", .in, SQLBind.group(queues)).limit(1).first() != nil
        }
    }

    /// Gives worker `name` up to `limit` of the tries queued in `queues`, oldest first, and starts
    /// them (queued → running), each with a new lease, in one transaction. A try is given once:
    /// on PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so servers claiming at the
    /// same time take different tries; on SQLite the single writer does the same.
    public func claimTries(worker name: String, hostname: String, queues: [String], limit: Int, now: Date = Date()) async throws -> [TaskInstance] {
        guard limit > 0, !queues.isEmpty else { return [] }
        // One statement claims them all (queued → running, as ``transition(_:to:now:update:)``
        // would move each): a lease per try, the claim's random token and the row's id, so that
        // no one but the claimer can know it.
        let token = Self.randomToken()
        let queued = TaskState.queued.rawValue
        // PostgreSQL evaluates `= ANY(ARRAY(subquery))` once; `IN (subquery)` may be evaluated
        // again per row, taking more than the LIMIT.
        let postgres = database.flavor == .postgresql
        let claim: SQLQueryString = """
            UPDATE task_instances SET state = \(bind: TaskState.running.rawValue), start_date = \(bind: now.microseconds), end_date = NULL,
              hostname = \(bind: hostname), worker = \(bind: name), lease = \(bind: token + "-") || CAST(id AS TEXT),
              updated_at = \(bind: now.microseconds)
            WHERE state = \(bind: queued) AND worker IS NULL AND id \(unsafeRaw: postgres ? "= ANY(ARRAY" : "IN ")(
              SELECT id FROM task_instances WHERE state = \(bind: queued) AND worker IS NULL AND queue IN (\(binds: queues))
              ORDER BY queued_at, id LIMIT \(literal: limit)\(unsafeRaw: postgres ? " FOR UPDATE SKIP LOCKED)" : ""))
            RETURNING *
            """
        let rows = try await database.write { sql in try await sql.raw(claim).all() }
        return try rows.map(Self.taskInstance).sorted { ($0.queuedAt ?? .distantPast, $0.taskID) < ($1.queuedAt ?? .distantPast, $1.taskID) }
    }

    // MARK: Ending tries

    /// How one try ends: its XComs (for a success) and the state it moves to.
    public struct TryEnding: Sendable {
        /// The task instance as its try runs (running, with its lease).
        public var instance: TaskInstance
        public var state: TaskState
        public var xcoms: [String: JSONValue]
        public var message: String?
        public var nextRetryAt: Date?

        public init(instance: TaskInstance, state: TaskState, xcoms: [String: JSONValue] = [:], message: String? = nil, nextRetryAt: Date? = nil) {
            self.instance = instance
            self.state = state
            self.xcoms = xcoms
            self.message = message
            self.nextRetryAt = nextRetryAt
        }
    }

    /// Ends many tries in one transaction (one commit for the batch): each one's XComs are stored
    /// and it moves to its state, only while it still runs with the same try and lease; the worker
    /// that held it counts a success or failure. A try moved meanwhile (marked, cleared, taken from
    /// a silent worker) is left as it is: its result is `nil`.
    public func endTries(_ endings: [TryEnding], now: Date = Date()) async throws -> [TaskInstance?] {
        guard !endings.isEmpty else { return [] }
        for ending in endings {
            for (key, value) in ending.xcoms { try Self.checkXCom(value, taskID: ending.instance.taskID, key: key) }
        }
        return try await database.write { sql in
            var results: [TaskInstance?] = []
            var counts: [WorkerCount: Int] = [:]
            var ended: [EndedTry] = []
            for ending in endings {
                let moved: TaskInstance
                do {
                    moved = try await Self.transition(sql, ending.instance, to: ending.state, now: now, hostname: hostname, ended: &ended) { next in
                        next.message = ending.message
                        next.nextRetryAt = ending.nextRetryAt
                        next.endDate = now
                    }
                } catch OrchestratorError.conflict {
                    results.append(nil)
                    continue
                }
                let instance = ending.instance
                for (key, value) in ending.xcoms.sorted(by: { $0.key < $1.key }) {
                    try await Self.storeXCom(
                        sql,
                        dagID: instance.dagID,
                        runID: instance.runID,
                        taskID: instance.taskID,
                        key: key,
                        value: value,
                        now: now
                    )
                }
                if let worker = instance.worker {
                    let column = ending.state == .success || ending.state == .skipped ? "succeeded" : "failed"
                    counts[WorkerCount(worker: worker, column: column), default: 0] += 1
                }
                results.append(moved)
            }
            try await Self.recordHistory(sql, ended)
            // The workers' counts, one statement per worker and outcome.
            for (count, added) in counts {
                let column = SQLIdentifier(count.column)
                try await sql.update("workers").set(column, to: SQLBinaryExpression(column, .add, SQLBind(added)))
                    .where("name", .equal, SQLBind(count.worker)).run()
            }
            return results
        }
    }

    /// A worker and the count (`succeeded` or `failed`) an ending adds to.
    private struct WorkerCount: Hashable {
        var worker: String
        var column: String
    }

    // MARK: Worker tokens

    /// Creates the worker token `name` and returns it: the only time it is readable (the store
    /// keeps its SHA-256 hash).
    /// - Throws: ``OrchestratorError/invalid(_:)`` for a bad name, ``OrchestratorError/conflict(_:)``
    ///   when a token has that name.
    public func createWorkerToken(_ name: String, createdBy: String?, now: Date = Date()) async throws -> String {
        if let problem = Self.workerNameProblem(name, what: "a worker token's name") { throw OrchestratorError.invalid(problem) }
        let token = "flw_" + Self.randomToken()
        try await database.write { sql in
            if try await sql.select().column("name").from("worker_tokens").where("name", .equal, SQLBind(name)).first() != nil {
                throw OrchestratorError.conflict("A worker token named `\(name)` already exists; revoke it first or choose another name")
            }
            try await sql.insert(into: "worker_tokens").columns("name", "token_hash", "created_by", "created_at")
                .values(SQLBind(name), SQLBind(Self.sessionKey(token)), SQLBind(createdBy), SQLBind(now.microseconds)).run()
        }
        return token
    }

    /// Revokes the worker token `name`: workers using it are refused from their next request.
    public func revokeWorkerToken(_ name: String, now: Date = Date()) async throws {
        try await database.write { sql in
            let rows = try await sql.update("worker_tokens").set("revoked_at", to: SQLBind(now.microseconds)).where("name", .equal, SQLBind(name))
                .where("revoked_at", .is, SQLLiteral.null).returning("name").all()
            guard !rows.isEmpty else { throw OrchestratorError.notFound("No live worker token is named `\(name)`") }
        }
    }

    public func workerTokens() async throws -> [WorkerTokenRecord] {
        try await database.read { sql in
            try await sql.select().columns("name", "created_by", "created_at", "revoked_at").from("worker_tokens").orderBy("name").all().map { row in
                WorkerTokenRecord(
                    name: try row.string("name"),
                    createdBy: try row.optionalString("created_by"),
                    createdAt: Date(microseconds: try row.int64("created_at")),
                    revokedAt: try row.optionalInt64("revoked_at").map(Date.init(microseconds:))
                )
            }
        }
    }

    /// The name of the live (not revoked) worker token `token`, or `nil`.
    public func workerTokenName(for token: String) async throws -> String? {
        guard token.hasPrefix("flw_"), token.utf8.count <= 128 else { return nil }
        return try await database.readStatement { sql in
            try await sql.select().column("name").from("worker_tokens").where("token_hash", .equal, SQLBind(Self.sessionKey(token)))
                .where("revoked_at", .is, SQLLiteral.null).first()?.string("name")
        }
    }

    /// Why `name` cannot name a worker or a worker token (1 to 128 letters, digits, `_-.:@`), or `nil`.
    public static func workerNameProblem(_ name: String, what: String = "a worker's name") -> String? {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "_-.:@".unicodeScalars.contains($0)
        }
        guard allowed, (1...128).contains(name.unicodeScalars.count) else {
            return "\(what) must be 1 to 128 letters, digits, '_', '-', '.', ':' or '@', not '\(name.prefix(80))'"
        }
        return nil
    }
}
