public import Foundation
public import JSON
import Lineage
import SQLKit
import Storage
public import Workflow

extension OrchestratorStore {
    // MARK: Runs

    /// Creates a queued run of `dag` with a task instance (no state yet) per task.
    /// - Throws: ``OrchestratorError/conflict(_:)`` when the DAG already has a run with `runID`.
    public func createRun(
        _ dag: DAG,
        runID: String,
        runType: DagRunType,
        logicalDate: Date?,
        dataInterval: DataInterval?,
        runAfter: Date,
        conf: [String: JSONValue],
        params: [String: JSONValue],
        triggeredBy: String,
        user: String? = nil,
        note: String? = nil,
        now: Date = Date()
    ) async throws -> DagRun {
        let run = DagRun(
            id: 0,
            dagID: dag.dagID,
            runID: runID,
            runType: runType,
            state: .queued,
            logicalDate: logicalDate,
            dataInterval: dataInterval,
            runAfter: runAfter,
            queuedAt: now,
            startDate: nil,
            endDate: nil,
            conf: conf,
            params: params,
            triggeredBy: triggeredBy,
            triggeringUser: user,
            note: note
        )
        return try await database.write { sql in
            if try await sql.select().column("id").from("dag_runs").where("dag_id", .equal, SQLBind(dag.dagID)).where(
                "run_id",
                .equal,
                SQLBind(runID)
            ).first() != nil {
                throw OrchestratorError.conflict("A DAG run with dag_run_id `\(runID)` already exists for DAG `\(dag.dagID)`")
            }
            try await sql.insert(into: "dag_runs")
                .columns(
                    "dag_id",
                    "run_id",
                    "run_type",
                    "state",
                    "logical_date",
                    "data_interval_start",
                    "data_interval_end",
                    "run_after",
                    "queued_at",
                    "conf",
                    "params",
                    "triggered_by",
                    "triggering_user",
                    "note",
                    "updated_at"
                )
                .values(
                    SQLBind(dag.dagID),
                    SQLBind(runID),
                    SQLBind(runType.rawValue),
                    SQLBind(DagRunState.queued.rawValue),
                    SQLBind(logicalDate?.microseconds),
                    SQLBind(dataInterval?.start.microseconds),
                    SQLBind(dataInterval?.end.microseconds),
                    SQLBind(runAfter.microseconds),
                    SQLBind(now.microseconds),
                    SQLBind(JSONValue.object(conf).jsonText),
                    SQLBind(JSONValue.object(params).jsonText),
                    SQLBind(triggeredBy),
                    SQLBind(user),
                    SQLBind(note),
                    SQLBind(now.microseconds)
                )
                .run()
            for chunk in stride(from: 0, to: dag.tasks.count, by: 100) {
                var insert = sql.insert(into: "task_instances")
                    .columns("dag_id", "run_id", "task_id", "try_number", "max_tries", "operator", "hostname", "updated_at")
                for task in dag.tasks[chunk..<min(chunk + 100, dag.tasks.count)] {
                    insert = insert.values(
                        SQLBind(dag.dagID),
                        SQLBind(runID),
                        SQLBind(task.taskID),
                        SQLBind(0),
                        SQLBind(task.retries),
                        SQLBind(task.operatorName),
                        SQLBind(""),
                        SQLBind(now.microseconds)
                    )
                }
                try await insert.run()
            }
            guard
                let row = try await sql.select().column("*").from("dag_runs").where("dag_id", .equal, SQLBind(dag.dagID)).where(
                    "run_id",
                    .equal,
                    SQLBind(runID)
                ).first()
            else {
                return run
            }
            return try Self.dagRun(row)
        }
    }

    public func run(dagID: String, runID: String) async throws -> DagRun {
        try await database.readStatement { sql in
            guard
                let row = try await sql.select().column("*").from("dag_runs").where("dag_id", .equal, SQLBind(dagID)).where(
                    "run_id",
                    .equal,
                    SQLBind(runID)
                ).first()
            else {
                throw OrchestratorError.notFound("The DagRun with dag_id: `\(dagID)` and run_id: `\(runID)` was not found")
            }
            return try Self.dagRun(row)
        }
    }

    /// Runs of `dagID` (all DAGs when `nil`), newest first.
    public func runs(dagID: String?, states: [DagRunState] = [], limit: Int = 100, offset: Int = 0) async throws -> (runs: [DagRun], total: Int) {
        var query = RunQuery(dagID: dagID, limit: limit, offset: offset)
        query.states = states
        query.order = [(.run_after, true), (.id, true)]
        return try await runPage(query)
    }

    /// One page of runs as the REST API lists them: filtered, ordered and paged in the database,
    /// so that listing never reads more runs than the page holds.
    public func runPage(_ query: RunQuery) async throws -> (runs: [DagRun], total: Int) {
        try await database.read { sql in
            func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
                var select = select
                if let dagID = query.dagID { select = select.where("dag_id", .equal, SQLBind(dagID)) }
                if !query.states.isEmpty { select = select.where("state", .in, SQLBind.group(query.states.map(\.rawValue))) }
                for bound in query.dateBounds {
                    select = select.where(SQLIdentifier(bound.field.rawValue), bound.comparison.operator, SQLBind(bound.date.microseconds))
                }
                return select
            }
            let total =
                try await filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from("dag_runs")).first()?.int64(
                    "total"
                ) ?? 0
            var select = filtered(sql.select().column("*").from("dag_runs"))
            for order in query.order {
                // NULLs sort first ascending (last descending) on both databases.
                select = select.orderBy(SQLRaw("\(order.field.rawValue) \(order.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST")"))
            }
            let rows = try await select.orderBy("id").limit(query.limit).offset(query.offset).all()
            return (try rows.map(Self.dagRun), Int(total))
        }
    }

    /// Queued and running runs, oldest first.
    public func activeRuns() async throws -> [DagRun] {
        try await database.readStatement { sql in
            try await sql.select().column("*").from("dag_runs").where(
                "state",
                .in,
                SQLBind.group([DagRunState.queued.rawValue, DagRunState.running.rawValue])
            )
            .orderBy("run_after").orderBy("id").all().map(Self.dagRun)
        }
    }

    /// The end of the latest data interval a scheduled run of `dagID` covered.
    public func lastScheduledIntervalEnd(dagID: String) async throws -> Date? {
        try await database.read { sql in
            let row = try await sql.select().column(SQLFunction("MAX", args: SQLIdentifier("data_interval_end")), as: "latest").from("dag_runs")
                .where("dag_id", .equal, SQLBind(dagID)).where("run_type", .equal, SQLBind(DagRunType.scheduled.rawValue)).first()
            return try row?.optionalInt64("latest").map(Date.init(microseconds:))
        }
    }

    /// Sets a run's state whatever it is (a user's mark); starting sets its start date, finishing
    /// its end date.
    @discardableResult
    public func setRunState(_ run: DagRun, to state: DagRunState, now: Date = Date()) async throws -> DagRun {
        try await database.write { sql in try await Self.setRunState(sql, run, to: state, now: now) } ?? run
    }

    /// Moves a run from the state it was read in (`run.state`) to `state`, only while it is still
    /// in it: a run marked or cleared by hand, or moved by another server, meanwhile keeps the
    /// state it was given. The scheduler's own moves go through here.
    /// - Returns: the run moved, or `nil` when it was no longer in `run.state`.
    public func moveRun(_ run: DagRun, to state: DagRunState, now: Date = Date()) async throws -> DagRun? {
        try await database.write { sql in try await Self.setRunState(sql, run, to: state, now: now, onlyFrom: run.state) }
    }

    /// Starts a queued run (queued → running), only while it is still queued as `run` was read.
    /// - Returns: whether it started.
    public func startRun(_ run: DagRun, now: Date = Date()) async throws -> Bool {
        guard run.state == .queued else { return false }
        return try await moveRun(run, to: .running, now: now) != nil
    }

    /// Sets a run's state (with `onlyFrom`, only while it is in that state).
    /// - Returns: the run as set, or `nil` when it was not in `onlyFrom`.
    static func setRunState(
        _ sql: any SQLDatabase,
        _ run: DagRun,
        to state: DagRunState,
        now: Date,
        onlyFrom expected: DagRunState? = nil
    ) async throws -> DagRun? {
        var updated = run
        updated.state = state
        var update = sql.update("dag_runs").set("state", to: SQLBind(state.rawValue)).set("updated_at", to: SQLBind(now.microseconds))
        switch state {
        case .running:
            if run.startDate == nil { updated.startDate = now }
            updated.endDate = nil
        case .success, .failed:
            updated.endDate = now
        case .queued:
            updated.startDate = nil
            updated.endDate = nil
            updated.queuedAt = now
            update = update.set("queued_at", to: SQLBind(now.microseconds))
        }
        update = update.set("start_date", to: SQLBind(updated.startDate?.microseconds)).set("end_date", to: SQLBind(updated.endDate?.microseconds))
            .where("id", .equal, SQLBind(run.id))
        if let expected { update = update.where("state", .equal, SQLBind(expected.rawValue)) }
        return try await update.returning("id").all().isEmpty ? nil : updated
    }

    public func setRunNote(_ run: DagRun, note: String) async throws -> DagRun {
        try await database.write { sql in
            try await sql.update("dag_runs").set("note", to: SQLBind(note)).where("id", .equal, SQLBind(run.id)).run()
        }
        var updated = run
        updated.note = note
        return updated
    }

    /// Deletes a finished or queued run with its task instances, tries and XComs (its logs stay).
    /// - Throws: ``OrchestratorError/conflict(_:)`` while it runs.
    public func deleteRun(dagID: String, runID: String) async throws {
        try await database.write { sql in
            guard
                let row = try await sql.select().column("*").from("dag_runs").where("dag_id", .equal, SQLBind(dagID)).where(
                    "run_id",
                    .equal,
                    SQLBind(runID)
                ).first()
            else {
                throw OrchestratorError.notFound("The DagRun with dag_id: `\(dagID)` and run_id: `\(runID)` was not found")
            }
            guard try Self.dagRun(row).state != .running else {
                throw OrchestratorError.conflict("The DagRun `\(runID)` is running; mark it success or failed before deleting it")
            }
            for table in ["task_instances", "task_instance_history", "xcom", "dag_runs"] {
                try await sql.delete(from: SQLIdentifier(table)).where("dag_id", .equal, SQLBind(dagID)).where("run_id", .equal, SQLBind(runID)).run()
            }
        }
    }

    static func dagRun(_ row: any SQLRow) throws -> DagRun {
        let start = try row.optionalInt64("data_interval_start")
        let end = try row.optionalInt64("data_interval_end")
        return DagRun(
            id: try row.int64("id"),
            dagID: try row.string("dag_id"),
            runID: try row.string("run_id"),
            runType: DagRunType(rawValue: try row.string("run_type")) ?? .manual,
            state: DagRunState(rawValue: try row.string("state")) ?? .failed,
            logicalDate: try row.optionalInt64("logical_date").map(Date.init(microseconds:)),
            dataInterval: start.flatMap { start in end.map { DataInterval(start: Date(microseconds: start), end: Date(microseconds: $0)) } },
            runAfter: Date(microseconds: try row.int64("run_after")),
            queuedAt: try row.optionalInt64("queued_at").map(Date.init(microseconds:)),
            startDate: try row.optionalInt64("start_date").map(Date.init(microseconds:)),
            endDate: try row.optionalInt64("end_date").map(Date.init(microseconds:)),
            conf: Self.object(try row.string("conf")),
            params: try row.optionalString("params").map(Self.object),
            triggeredBy: try row.string("triggered_by"),
            triggeringUser: try row.optionalString("triggering_user"),
            note: try row.optionalString("note")
        )
    }

    // MARK: Task instances

    public func taskInstances(dagID: String, runID: String) async throws -> [TaskInstance] {
        try await database.read { sql in
            try await sql.select().column("*").from("task_instances").where("dag_id", .equal, SQLBind(dagID)).where("run_id", .equal, SQLBind(runID))
                .orderBy("id").all().map(Self.taskInstance)
        }
    }

    public func taskInstance(dagID: String, runID: String, taskID: String) async throws -> TaskInstance {
        try await database.readStatement { sql in try await Self.taskInstance(sql, dagID: dagID, runID: runID, taskID: taskID) }
    }

    static func taskInstance(_ sql: any SQLDatabase, dagID: String, runID: String, taskID: String) async throws -> TaskInstance {
        guard
            let row = try await sql.select().column("*").from("task_instances").where("dag_id", .equal, SQLBind(dagID))
                .where("run_id", .equal, SQLBind(runID)).where("task_id", .equal, SQLBind(taskID)).first()
        else {
            throw OrchestratorError.notFound("TaskInstance not found: task `\(taskID)` of run `\(runID)` of DAG `\(dagID)`")
        }
        return try Self.taskInstance(row)
    }

    /// The task instances named (DAG, run, task), read in one statement per run: by
    /// ``instanceKey(dagID:runID:taskID:)``; those that do not exist are left out.
    public func taskInstances(named keys: [(dagID: String, runID: String, taskID: String)]) async throws -> [String: TaskInstance] {
        guard !keys.isEmpty else { return [:] }
        let byRun = Dictionary(grouping: keys) { Self.runKey(dagID: $0.dagID, runID: $0.runID) }
        let body: @Sendable (any SQLDatabase) async throws -> [String: TaskInstance] = { sql in
            var result: [String: TaskInstance] = [:]
            for group in byRun.values {
                guard let first = group.first else { continue }
                let rows = try await sql.select().column("*").from("task_instances").where("dag_id", .equal, SQLBind(first.dagID))
                    .where("run_id", .equal, SQLBind(first.runID)).where("task_id", .in, SQLBind.group(group.map(\.taskID))).all()
                for row in rows {
                    let instance = try Self.taskInstance(row)
                    result[Self.instanceKey(dagID: instance.dagID, runID: instance.runID, taskID: instance.taskID)] = instance
                }
            }
            return result
        }
        // One statement for one run (the common case) needs no transaction.
        return byRun.count == 1 ? try await database.readStatement(body) : try await database.read(body)
    }

    /// The key of a task instance in ``taskInstances(named:)``'s answer.
    public static func instanceKey(dagID: String, runID: String, taskID: String) -> String {
        "\(dagID)\u{0}\(runID)\u{0}\(taskID)"
    }

    /// The key of a run in ``taskInstances(of:)``'s answer.
    public static func runKey(dagID: String, runID: String) -> String {
        "\(dagID)\u{0}\(runID)"
    }

    /// The task instances of the given runs, by ``runKey(dagID:runID:)``.
    public func taskInstances(of runs: [DagRun]) async throws -> [String: [TaskInstance]] {
        guard !runs.isEmpty else { return [:] }
        return try await database.read { sql in
            var result: [String: [TaskInstance]] = [:]
            for dagID in Set(runs.map(\.dagID)) {
                let runIDs = runs.filter { $0.dagID == dagID }.map(\.runID)
                let rows = try await sql.select().column("*").from("task_instances").where("dag_id", .equal, SQLBind(dagID))
                    .where("run_id", .in, SQLBind.group(runIDs)).orderBy("id").all()
                for row in rows {
                    let instance = try Self.taskInstance(row)
                    result[Self.runKey(dagID: dagID, runID: instance.runID), default: []].append(instance)
                }
            }
            return result
        }
    }

    /// Task instances that were queued, running or waiting on a trigger: after a restart, these
    /// tries were lost with the process that ran them.
    public func unfinishedTries() async throws -> [TaskInstance] {
        try await database.read { sql in
            try await sql.select().column("*").from("task_instances")
                .where("state", .in, SQLBind.group([TaskState.queued, .running, .deferred, .restarting].map(\.rawValue))).all().map(Self.taskInstance)
        }
    }

    /// Moves `instance` to `state`, applying `update` to its other fields, in one transaction.
    /// - Throws: ``OrchestratorError/conflict(_:)`` if the move is not allowed, or if the task
    ///   instance is no longer in the state `instance` has (someone else moved it first).
    @discardableResult
    public func transition(
        _ instance: TaskInstance,
        to state: TaskState?,
        now: Date = Date(),
        update: @escaping @Sendable (inout TaskInstance) -> Void = { _ in }
    ) async throws -> TaskInstance {
        try await database.write { sql in try await Self.transition(sql, instance, to: state, now: now, hostname: hostname, update: update) }
    }

    /// One step of a ``TaskMove``.
    public struct TaskStep: Sendable {
        public var state: TaskState?
        public var update: @Sendable (inout TaskInstance) -> Void

        public init(_ state: TaskState?, update: @escaping @Sendable (inout TaskInstance) -> Void = { _ in }) {
            self.state = state
            self.update = update
        }
    }

    /// Moves many task instances in one transaction, each through its steps (`nil` → scheduled →
    /// queued, say). A move that conflicts (the task changed meanwhile) is left out: its result is
    /// `nil`, and the others still happen.
    public func transition(_ moves: [(instance: TaskInstance, steps: [TaskStep])], now: Date = Date()) async throws -> [TaskInstance?] {
        guard !moves.isEmpty else { return [] }
        return try await database.write { sql in
            var results: [TaskInstance?] = []
            var ended: [EndedTry] = []
            for move in moves {
                do {
                    results.append(try await Self.transition(sql, move.instance, steps: move.steps, now: now, hostname: hostname, ended: &ended))
                } catch OrchestratorError.conflict {
                    results.append(nil)
                }
            }
            try await Self.recordHistory(sql, ended)
            return results
        }
    }

    /// A try that a move ended, for the tries' history.
    struct EndedTry: Sendable {
        var tryNumber: Int
        var state: TaskState?
        /// The task instance right after the move that ended it.
        var after: TaskInstance
    }

    /// The one place a task instance's state changes: checked against ``TaskTransitions``, and
    /// made only if the row still has the state and try the caller read (a conditional UPDATE).
    static func transition(
        _ sql: any SQLDatabase,
        _ instance: TaskInstance,
        to state: TaskState?,
        now: Date,
        hostname: String,
        update: (inout TaskInstance) -> Void
    ) async throws -> TaskInstance {
        var ended: [EndedTry] = []
        let moved = try await transition(sql, instance, to: state, now: now, hostname: hostname, ended: &ended, update: update)
        try await recordHistory(sql, ended)
        return moved
    }

    /// ``transition(_:_:to:now:hostname:update:)``, adding the try it ends (if it does) to `ended`
    /// for the caller to record with others (``recordHistory(_:_:)``).
    static func transition(
        _ sql: any SQLDatabase,
        _ instance: TaskInstance,
        to state: TaskState?,
        now: Date,
        hostname: String,
        ended: inout [EndedTry],
        update: (inout TaskInstance) -> Void
    ) async throws -> TaskInstance {
        let (next, endedTry) = try Self.apply(state, to: instance, now: now, hostname: hostname, update: update)
        try await write(sql, from: instance, to: next, now: now)
        if let endedTry { ended.append(endedTry) }
        return next
    }

    /// Moves a task instance through `steps` (`nil` → scheduled → queued, say), each checked,
    /// with one conditional UPDATE from the state read to the last; the tries it ends are added to
    /// `ended`.
    static func transition(
        _ sql: any SQLDatabase,
        _ instance: TaskInstance,
        steps: [TaskStep],
        now: Date,
        hostname: String,
        ended: inout [EndedTry]
    ) async throws -> TaskInstance {
        var current = instance
        var endedHere: [EndedTry] = []
        for step in steps {
            let (next, endedTry) = try Self.apply(step.state, to: current, now: now, hostname: hostname, update: step.update)
            if let endedTry { endedHere.append(endedTry) }
            current = next
        }
        try await write(sql, from: instance, to: current, now: now)
        ended += endedHere
        return current
    }

    /// `instance` moved to `state` (checked; dates, host and lease as the move sets them, then the
    /// caller's `update`).
    /// - Returns: it, and the try the move ends, if it does (its lease is then void: whatever its
    ///   worker reports late is refused).
    private static func apply(
        _ state: TaskState?,
        to instance: TaskInstance,
        now: Date,
        hostname: String,
        update: (inout TaskInstance) -> Void
    ) throws -> (next: TaskInstance, ended: EndedTry?) {
        try TaskTransitions.check(from: instance.state, to: state, taskID: instance.taskID)
        var next = instance
        next.state = state
        switch state {
        case .scheduled?:
            next.scheduledAt = now
            next.nextRetryAt = nil
            // A new try: any worker of its queue may take it.
            next.worker = nil
            next.lease = nil
        case .queued?:
            next.queuedAt = now
        case .running?:
            if instance.state != .deferred { next.startDate = now }
            next.endDate = nil
            next.hostname = hostname
        default:
            break
        }
        let endsTry =
            [TaskState.running, .queued, .deferred, .restarting].contains(instance.state) && instance.tryNumber > 0
            && (state == nil || state?.isFinished == true || state == .upForRetry)
        if endsTry { next.lease = nil }
        update(&next)
        guard endsTry else { return (next, nil) }
        if next.endDate == nil || state == nil { next.endDate = now }
        return (next, EndedTry(tryNumber: instance.tryNumber, state: state, after: next))
    }

    /// Writes `next` over the row if it still is `instance` (state, try, lease). A try ends once:
    /// the conditional update lets only one end through.
    /// - Throws: ``OrchestratorError/conflict(_:)`` when the row changed meanwhile.
    private static func write(_ sql: any SQLDatabase, from instance: TaskInstance, to next: TaskInstance, now: Date) async throws {
        // One UPDATE per move of every try: written as SQL text rather than built, which costs
        // the scheduler less per task.
        var statement: SQLQueryString = """
            UPDATE task_instances SET state = \(bind: next.state?.rawValue), try_number = \(bind: next.tryNumber), \
            max_tries = \(bind: next.maxTries), start_date = \(bind: next.startDate?.microseconds), \
            end_date = \(bind: next.endDate?.microseconds), scheduled_at = \(bind: next.scheduledAt?.microseconds), \
            queued_at = \(bind: next.queuedAt?.microseconds), next_retry_at = \(bind: next.nextRetryAt?.microseconds), \
            hostname = \(bind: next.hostname), pid = \(bind: next.pid.map(Int64.init)), message = \(bind: next.message), \
            note = \(bind: next.note), queue = \(bind: next.queue), worker = \(bind: next.worker), lease = \(bind: next.lease), \
            updated_at = \(bind: now.microseconds) \
            WHERE dag_id = \(bind: next.dagID) AND run_id = \(bind: next.runID) AND task_id = \(bind: next.taskID) \
            AND try_number = \(bind: instance.tryNumber)
            """
        if let old = instance.state {
            statement.appendInterpolation(" AND state = \(bind: old.rawValue)" as SQLQueryString)
        } else {
            statement.appendLiteral(" AND state IS NULL")
        }
        if let lease = instance.lease { statement.appendInterpolation(" AND lease = \(bind: lease)" as SQLQueryString) }
        statement.appendLiteral(" RETURNING task_id")
        let changed = try await sql.raw(statement).all()
        guard !changed.isEmpty else {
            let current = try await taskInstance(sql, dagID: instance.dagID, runID: instance.runID, taskID: instance.taskID)
            throw OrchestratorError.conflict(
                "task '\(instance.taskID)' changed meanwhile: it is \(current.state?.rawValue ?? "none") (try \(current.tryNumber))"
            )
        }
    }

    /// Records ended tries in the history, in one statement.
    static func recordHistory(_ sql: any SQLDatabase, _ ended: [EndedTry]) async throws {
        guard !ended.isEmpty else { return }
        var insert = sql.insert(into: "task_instance_history")
            .columns("dag_id", "run_id", "task_id", "try_number", "state", "operator", "start_date", "end_date", "hostname", "pid", "message")
        for entry in ended {
            let row = entry.after
            insert = insert.values(
                SQLBind(row.dagID),
                SQLBind(row.runID),
                SQLBind(row.taskID),
                SQLBind(entry.tryNumber),
                SQLBind((entry.state ?? .failed).rawValue),
                SQLBind(row.operatorName),
                SQLBind(row.startDate?.microseconds),
                SQLBind(row.endDate?.microseconds),
                SQLBind(row.hostname),
                SQLBind(row.pid.map(Int64.init)),
                SQLBind(row.message)
            )
        }
        try await insert.run()
    }

    public func setTaskNote(_ instance: TaskInstance, note: String) async throws -> TaskInstance {
        try await database.write { sql in
            try await sql.update("task_instances").set("note", to: SQLBind(note)).where("dag_id", .equal, SQLBind(instance.dagID))
                .where("run_id", .equal, SQLBind(instance.runID)).where("task_id", .equal, SQLBind(instance.taskID)).run()
        }
        var updated = instance
        updated.note = note
        return updated
    }

    /// Records the process (and process group) id of a running try.
    public func recordProcess(_ pid: Int, dagID: String, runID: String, taskID: String) async throws {
        try await database.write { sql in
            try await sql.update("task_instances").set("pid", to: SQLBind(Int64(pid))).where("dag_id", .equal, SQLBind(dagID))
                .where("run_id", .equal, SQLBind(runID)).where("task_id", .equal, SQLBind(taskID)).run()
        }
    }

    /// The finished tries of a task, oldest first, then the current one if it has started.
    public func tries(dagID: String, runID: String, taskID: String) async throws -> [TaskTry] {
        try await database.read { sql in
            let current = try await Self.taskInstance(sql, dagID: dagID, runID: runID, taskID: taskID)
            var tries = try await sql.select().column("*").from("task_instance_history").where("dag_id", .equal, SQLBind(dagID))
                .where("run_id", .equal, SQLBind(runID)).where("task_id", .equal, SQLBind(taskID)).orderBy("try_number").all().map { row in
                    TaskTry(
                        tryNumber: Int(try row.int64("try_number")),
                        state: TaskState(rawValue: try row.string("state")) ?? .failed,
                        startDate: try row.optionalInt64("start_date").map(Date.init(microseconds:)),
                        endDate: try row.optionalInt64("end_date").map(Date.init(microseconds:)),
                        hostname: try row.string("hostname"),
                        pid: try row.optionalInt64("pid").map(Int.init),
                        message: try row.optionalString("message")
                    )
                }
            if current.tryNumber > 0, !tries.contains(where: { $0.tryNumber == current.tryNumber }), let state = current.state {
                tries.append(
                    TaskTry(
                        tryNumber: current.tryNumber,
                        state: state,
                        startDate: current.startDate,
                        endDate: current.endDate,
                        hostname: current.hostname,
                        pid: current.pid,
                        message: current.message
                    )
                )
            }
            return tries
        }
    }

    static func taskInstance(_ row: any SQLRow) throws -> TaskInstance {
        TaskInstance(
            dagID: try row.string("dag_id"),
            runID: try row.string("run_id"),
            taskID: try row.string("task_id"),
            state: try row.optionalString("state").flatMap(TaskState.init(rawValue:)),
            tryNumber: Int(try row.int64("try_number")),
            maxTries: Int(try row.int64("max_tries")),
            operatorName: try row.string("operator"),
            startDate: try row.optionalInt64("start_date").map(Date.init(microseconds:)),
            endDate: try row.optionalInt64("end_date").map(Date.init(microseconds:)),
            scheduledAt: try row.optionalInt64("scheduled_at").map(Date.init(microseconds:)),
            queuedAt: try row.optionalInt64("queued_at").map(Date.init(microseconds:)),
            nextRetryAt: try row.optionalInt64("next_retry_at").map(Date.init(microseconds:)),
            hostname: try row.string("hostname"),
            pid: try row.optionalInt64("pid").map(Int.init),
            message: try row.optionalString("message"),
            note: try row.optionalString("note"),
            queue: try row.string("queue"),
            worker: try row.optionalString("worker"),
            lease: try row.optionalString("lease")
        )
    }

    // MARK: Clearing

    /// Clears tasks of a run so they run again: each selected task (with its downstream tasks when
    /// `includeDownstream`) that has a state and, with `onlyFailed`, failed, loses its state and gets
    /// its retries again; a finished run is queued again. With `dryRun`, answers the same selection
    /// and changes nothing.
    /// - Throws: ``OrchestratorError/conflict(_:)`` when a selected task is running or queued,
    ///   ``OrchestratorError/notFound(_:)`` for an unknown run.
    public func clear(
        _ dag: DAG,
        runID: String,
        taskIDs: [String],
        includeDownstream: Bool,
        onlyFailed: Bool = false,
        dryRun: Bool = false,
        now: Date = Date()
    ) async throws -> [TaskInstance] {
        let targets = includeDownstream ? dag.withDownstream(taskIDs) : taskIDs
        if dryRun {
            return try await database.read { sql in
                try await Self.clearSelection(sql, dag: dag, runID: runID, targets: targets, onlyFailed: onlyFailed).instances
            }
        }
        return try await database.write { sql in
            let (run, selected) = try await Self.clearSelection(sql, dag: dag, runID: runID, targets: targets, onlyFailed: onlyFailed)
            var cleared: [TaskInstance] = []
            for instance in selected {
                let retries = dag.task(instance.taskID)?.retries ?? 0
                cleared.append(
                    try await Self.transition(sql, instance, to: nil, now: now, hostname: hostname) { next in
                        next.maxTries = next.tryNumber + retries
                        next.startDate = nil
                        next.endDate = nil
                        next.nextRetryAt = nil
                        next.message = nil
                    }
                )
            }
            if !cleared.isEmpty, run.state.isFinished { _ = try await Self.setRunState(sql, run, to: .queued, now: now, onlyFrom: run.state) }
            return cleared
        }
    }

    /// What clearing `targets` of a run selects (``clear(_:runID:taskIDs:includeDownstream:onlyFailed:dryRun:now:)``).
    private static func clearSelection(
        _ sql: any SQLDatabase,
        dag: DAG,
        runID: String,
        targets: [String],
        onlyFailed: Bool
    ) async throws -> (run: DagRun, instances: [TaskInstance]) {
        guard
            let runRow = try await sql.select().column("*").from("dag_runs").where("dag_id", .equal, SQLBind(dag.dagID))
                .where("run_id", .equal, SQLBind(runID)).first()
        else {
            throw OrchestratorError.notFound("The DagRun with dag_id: `\(dag.dagID)` and run_id: `\(runID)` was not found")
        }
        var selected: [TaskInstance] = []
        for taskID in targets {
            let instance = try await taskInstance(sql, dagID: dag.dagID, runID: runID, taskID: taskID)
            if onlyFailed, instance.state?.isFailureLike != true { continue }
            guard instance.state != nil else { continue }
            if instance.state?.isActive == true {
                throw OrchestratorError.conflict(
                    "task '\(taskID)' is \(instance.state?.rawValue ?? "active"); cancel the run or wait for the task before clearing it"
                )
            }
            selected.append(instance)
        }
        return (try dagRun(runRow), selected)
    }

    // MARK: XCom

    /// Stores a task's XCom value under `key` (`return_value` for what the task returned).
    /// - Throws: ``OrchestratorError/invalid(_:)`` past ``TaskInstance/maximumXComSize``.
    public func pushXCom(
        dagID: String,
        runID: String,
        taskID: String,
        key: String = "return_value",
        value: JSONValue,
        now: Date = Date()
    ) async throws {
        try Self.checkXCom(value, taskID: taskID, key: key)
        try await database.write { sql in
            try await Self.storeXCom(sql, dagID: dagID, runID: runID, taskID: taskID, key: key, value: value, now: now)
        }
    }

    /// Refuses an XCom value larger than ``TaskInstance/maximumXComSize``.
    static func checkXCom(_ value: JSONValue, taskID: String, key: String) throws {
        let size = value.jsonText.utf8.count
        guard size <= TaskInstance.maximumXComSize else {
            throw OrchestratorError.invalid(
                "the XCom value of task '\(taskID)' is \(size) bytes, more than the \(TaskInstance.maximumXComSize / 1024) KiB an XCom may hold; write large data to a file in the workspace and push its path"
            )
        }
    }

    static func storeXCom(_ sql: any SQLDatabase, dagID: String, runID: String, taskID: String, key: String, value: JSONValue, now: Date) async throws
    {
        try await sql.delete(from: "xcom").where("dag_id", .equal, SQLBind(dagID)).where("run_id", .equal, SQLBind(runID))
            .where("task_id", .equal, SQLBind(taskID)).where("key", .equal, SQLBind(key)).run()
        try await sql.insert(into: "xcom").columns("dag_id", "run_id", "task_id", "key", "value", "timestamp")
            .values(SQLBind(dagID), SQLBind(runID), SQLBind(taskID), SQLBind(key), SQLBind(value.jsonText), SQLBind(now.microseconds)).run()
    }

    /// The tracking runs a run's tasks started (XCom `tracking_run_id`): task id → run id.
    public func trackingRunIDs(dagID: String, runID: String) async throws -> [String: String] {
        try await xcoms(dagID: dagID, runID: runID).compactMapValues { $0[Lineage.XCom.trackingRunID]?.string }
    }

    /// The XComs of a run: task id → key → value.
    public func xcoms(dagID: String, runID: String) async throws -> [String: [String: JSONValue]] {
        try await database.read { sql in
            var result: [String: [String: JSONValue]] = [:]
            for row in try await sql.select().columns("task_id", "key", "value").from("xcom").where("dag_id", .equal, SQLBind(dagID))
                .where("run_id", .equal, SQLBind(runID)).all()
            {
                let value = (try? JSONParser.parse(Array(try row.string("value").utf8))) ?? .null
                result[try row.string("task_id"), default: [:]][try row.string("key")] = value
            }
            return result
        }
    }
}
