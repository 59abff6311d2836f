import SQLKit
import Storage

extension TrackingStore {
    /// The largest page `runs/search` returns.
    public static let maximumRunsPerPage = 50_000

    /// One page of the runs of `experimentIDs` matching `filter`, in the order of `orderBy`
    /// (MLflow's `identifier [ASC|DESC]` strings), then by start time (newest first) and run ID.
    ///
    /// Runs missing an ordered metric, param or tag come last in both directions; for metrics, NaN
    /// values come after numbers and before missing ones, as in MLflow.
    /// - Throws: ``TrackingError`` for an invalid filter, order or page size.
    public func searchRuns(
        experimentIDs: [String],
        filter: String,
        viewType: ViewType,
        maxResults: Int,
        orderBy: [String],
        offset: Int
    ) async throws -> (runs: [Run], nextOffset: Int?) {
        guard maxResults >= 1 else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive integer")
        }
        guard maxResults <= Self.maximumRunsPerPage else {
            throw TrackingError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most \(Self.maximumRunsPerPage)"
            )
        }
        let experiments = try experimentIDs.map { id throws(TrackingError) in try TrackingValidation.experimentID(id) }
        var plan = RunSearchPlan()
        for clause in try FilterParser.parse(filter).clauses {
            try Self.addCondition(clause, to: &plan, flavor: database.flavor)
        }
        try Self.addOrders(orderBy, to: &plan)
        let search = plan
        return try await database.read { sql in
            guard !experiments.isEmpty else { return ([], nil) }
            var query = sql.select().column(SQLColumn("run_id", table: "runs")).from("runs")
            for join in search.joins {
                query = query.join(
                    SQLAlias(SQLIdentifier(join.table), as: SQLIdentifier(join.alias)),
                    method: join.outer ? SQLJoinMethod.left : SQLJoinMethod.inner,
                    on: join.on
                )
            }
            query =
                query
                .where(SQLColumn("experiment_id", table: "runs"), .in, SQLBind.group(experiments))
                .where(SQLColumn("lifecycle_stage", table: "runs"), .in, SQLBind.group(viewType.stages.map(\.rawValue)))
            for condition in search.conditions { query = query.where(condition) }
            for order in search.orders { query = query.orderBy(order) }
            query = query.limit(maxResults + 1).offset(offset)
            var ids = try await query.all().map { try $0.string("run_id") }
            let hasMore = ids.count > maxResults
            if hasMore { ids.removeLast() }
            return (try await Self.loadRuns(sql, ids: ids), hasMore ? offset + maxResults : nil)
        }
    }

    /// Adds one clause of a run filter to `plan`, checked against MLflow's rules. Comparisons on
    /// metrics, params and tags become joins on their (run, key) primary keys, so the database can
    /// start from the most selective index instead of testing every run.
    static func addCondition(_ clause: SearchFilter.Clause, to plan: inout RunSearchPlan, flavor: SQLFlavor) throws(TrackingError) {
        let entity = try RunEntity(clause.identifier.entity)
        switch entity {
        case .metric:
            try FilterSQL.require(clause, in: SearchFilter.Comparator.numeric, for: "metric")
            try FilterSQL.requireNumber(clause, for: "metric")
            let alias = plan.nextAlias()
            let comparison = FilterSQL.compare(SQLColumn("value", table: alias), clause.comparator, clause.value, flavor: flavor)
            plan.join(
                "latest_metrics",
                as: alias,
                key: clause.identifier.key,
                outer: false,
                where: SQLList(
                    [SQLColumn("is_nan", table: alias), SQLRaw(" = "), SQLBind(false), SQLRaw(" AND "), comparison],
                    separator: SQLRaw("")
                )
            )
        case .param where ![.isNull, .isNotNull].contains(clause.comparator), .tag where ![.isNull, .isNotNull].contains(clause.comparator):
            let what = entity == .param ? "parameter" : "tag"
            try FilterSQL.require(clause, in: SearchFilter.Comparator.string.union([.isNull, .isNotNull]), for: what)
            try FilterSQL.requireString(clause, for: what)
            let alias = plan.nextAlias()
            plan.join(
                entity == .param ? "params" : "tags",
                as: alias,
                key: clause.identifier.key,
                outer: false,
                where: FilterSQL.compare(SQLColumn("value", table: alias), clause.comparator, clause.value, flavor: flavor)
            )
        default:
            plan.conditions.append(try runCondition(clause, flavor: flavor))
        }
    }

    /// The SQL condition of a clause that ``addCondition(_:to:flavor:)`` does not turn into a join:
    /// attributes, datasets, and `IS [NOT] NULL` on params and tags.
    static func runCondition(_ clause: SearchFilter.Clause, flavor: SQLFlavor) throws(TrackingError) -> any SQLExpression {
        let key = clause.identifier.key
        let entity = try RunEntity(clause.identifier.entity)
        switch entity {
        case .metric:
            throw TrackingError.invalid("IS NULL / IS NOT NULL is only supported for tags and params")
        case .param, .tag:
            let table = entity == .param ? "params" : "tags"
            try FilterSQL.require(clause, in: [.isNull, .isNotNull], for: entity == .param ? "parameter" : "tag")
            let exists = FilterSQL.exists(in: table, link: "run_id", owner: "runs.run_id", key: key)
            return clause.comparator == .isNull ? SQLList([SQLRaw("NOT "), exists], separator: SQLRaw("")) : exists
        case .attribute:
            switch key {
            case "start_time", "end_time", "created", "Created":
                try FilterSQL.require(clause, in: SearchFilter.Comparator.numeric, for: "attribute")
                try FilterSQL.requireNumber(clause, for: "attribute '\(key)'")
                let column = key == "end_time" ? "end_time" : "start_time"
                return FilterSQL.compare(SQLColumn(column, table: "runs"), clause.comparator, clause.value, flavor: flavor)
            case "run_id", "run_name", "run name", "status", "user_id", "artifact_uri":
                let allowed = key == "run_id" ? SearchFilter.Comparator.string.union([.in, .notIn]) : SearchFilter.Comparator.string
                if [.in, .notIn].contains(clause.comparator), key != "run_id" {
                    throw TrackingError.invalid("Only ['run_id'] attributes support comparison with a list of quoted string values.")
                }
                try FilterSQL.require(clause, in: allowed, for: "attribute '\(key)'")
                try FilterSQL.requireString(clause, for: "attribute '\(key)'")
                let column = ["run_name", "run name"].contains(key) ? "name" : key
                return FilterSQL.compare(SQLColumn(column, table: "runs"), clause.comparator, clause.value, flavor: flavor)
            default:
                throw TrackingError.invalid(
                    "Invalid attribute key '\(key)' specified. Valid keys are '['artifact_uri', 'created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id']'"
                )
            }
        case .dataset:
            guard ["name", "digest", "context"].contains(key) else {
                throw TrackingError.invalid("Invalid dataset key '\(key)' specified. Valid keys are ['context', 'digest', 'name']")
            }
            try FilterSQL.require(clause, in: SearchFilter.Comparator.string.union([.in, .notIn]), for: "dataset")
            try FilterSQL.requireString(clause, for: "dataset")
            if key == "context" {
                let comparison = FilterSQL.compare(
                    SQLColumn("value", table: "run_dataset_input_tags"),
                    clause.comparator,
                    clause.value,
                    flavor: flavor
                )
                return SQLList(
                    [
                        SQLRaw(
                            "EXISTS (SELECT 1 FROM run_dataset_input_tags WHERE run_dataset_input_tags.run_id = runs.run_id AND run_dataset_input_tags.key = "
                        ),
                        SQLBind("mlflow.data.context"), SQLRaw(" AND "), comparison, SQLRaw(")"),
                    ],
                    separator: SQLRaw("")
                )
            }
            let comparison = FilterSQL.compare(SQLColumn(key, table: "datasets"), clause.comparator, clause.value, flavor: flavor)
            return SQLList(
                [
                    SQLRaw(
                        "EXISTS (SELECT 1 FROM run_dataset_inputs JOIN datasets ON datasets.dataset_uuid = run_dataset_inputs.dataset_uuid WHERE run_dataset_inputs.run_id = runs.run_id AND "
                    ),
                    comparison, SQLRaw(")"),
                ],
                separator: SQLRaw("")
            )
        }
    }

    /// Adds the ORDER BY of MLflow `order_by` strings to `plan`, with the tie-breakers MLflow adds.
    /// Ordered metrics, params and tags are outer-joined once each.
    static func addOrders(_ orderBy: [String], to plan: inout RunSearchPlan) throws(TrackingError) {
        var seen: Set<String> = []
        var ordersStartTime = false
        for (_, identifier, ascending) in try FilterParser.parseOrderBy(orderBy) {
            let entity = try RunEntity(identifier.entity)
            guard seen.insert("\(entity).\(identifier.key)").inserted else {
                throw TrackingError.invalid("`order_by` contains duplicate fields: \(orderBy)")
            }
            let direction: SQLDirection = ascending ? .ascending : .descending
            switch entity {
            case .metric:
                // Numbers, then NaN, then runs without the metric, whatever the direction.
                let alias = plan.nextAlias()
                plan.join("latest_metrics", as: alias, key: identifier.key, outer: true)
                plan.orders.append(
                    SQLOrderBy(
                        expression: SQLList(
                            [
                                SQLRaw("CASE WHEN "), SQLColumn("run_id", table: alias), SQLRaw(" IS NULL THEN 2 WHEN "),
                                SQLColumn("is_nan", table: alias),
                                SQLRaw(" = "), SQLBind(true), SQLRaw(" THEN 1 ELSE 0 END"),
                            ],
                            separator: SQLRaw("")
                        ),
                        direction: SQLDirection.ascending
                    )
                )
                plan.orders.append(SQLOrderBy(expression: SQLColumn("value", table: alias), direction: direction))
            case .param, .tag:
                let alias = plan.nextAlias()
                plan.join(entity == .param ? "params" : "tags", as: alias, key: identifier.key, outer: true)
                plan.orders.append(
                    SQLOrderBy(
                        expression: SQLList(
                            [SQLRaw("CASE WHEN "), SQLColumn("value", table: alias), SQLRaw(" IS NULL THEN 1 ELSE 0 END")],
                            separator: SQLRaw("")
                        ),
                        direction: SQLDirection.ascending
                    )
                )
                plan.orders.append(SQLOrderBy(expression: SQLColumn("value", table: alias), direction: direction))
            case .attribute:
                let column: String =
                    switch identifier.key {
                    case "start_time", "created", "Created": "start_time"
                    case "end_time", "run_id", "status", "user_id", "artifact_uri": identifier.key
                    case "run_name", "run name": "name"
                    default:
                        throw TrackingError.invalid(
                            "Invalid attribute key '\(identifier.key)' specified in order_by. Valid keys are ['artifact_uri', 'created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id']"
                        )
                    }
                if column == "start_time" { ordersStartTime = true }
                if column == "end_time" {
                    plan.orders.append(
                        SQLOrderBy(expression: SQLRaw("CASE WHEN runs.end_time IS NULL THEN 1 ELSE 0 END"), direction: SQLDirection.ascending)
                    )
                }
                plan.orders.append(SQLOrderBy(expression: SQLColumn(column, table: "runs"), direction: direction))
            case .dataset:
                throw TrackingError.invalid("Ordering runs by datasets is not supported.")
            }
        }
        if !ordersStartTime { plan.orders.append(SQLOrderBy(expression: SQLColumn("start_time", table: "runs"), direction: SQLDirection.descending)) }
        plan.orders.append(SQLOrderBy(expression: SQLColumn("run_id", table: "runs"), direction: SQLDirection.ascending))
    }
}

/// The parts of a run search query: joins on (run, key) tables, other conditions, and the order.
struct RunSearchPlan {
    struct Join {
        var table: String
        var alias: String
        var on: any SQLExpression
        var outer: Bool
    }

    var joins: [Join] = []
    var conditions: [any SQLExpression] = []
    var orders: [any SQLExpression] = []

    /// A fresh table alias: `j0`, `j1`, …
    mutating func nextAlias() -> String { "j\(joins.count)" }

    /// Joins `table` as `alias` on the run and `key` (and `condition`, if any).
    mutating func join(_ table: String, as alias: String, key: String, outer: Bool, where condition: (any SQLExpression)? = nil) {
        var on: [any SQLExpression] = [
            SQLColumn("run_id", table: alias), SQLRaw(" = runs.run_id AND "), SQLColumn("key", table: alias), SQLRaw(" = "), SQLBind(key),
        ]
        if let condition { on += [SQLRaw(" AND "), condition] }
        joins.append(Join(table: table, alias: alias, on: SQLList(on, separator: SQLRaw("")), outer: outer))
    }
}

/// The entities of MLflow's run search, with their aliases.
enum RunEntity: Equatable {
    case metric, param, tag, attribute, dataset

    init(_ prefix: String) throws(TrackingError) {
        switch prefix.lowercased() {
        case "metric", "metrics": self = .metric
        case "parameter", "parameters", "param", "params": self = .param
        case "tag", "tags": self = .tag
        case "", "attribute", "attributes", "attr", "run": self = .attribute
        case "dataset", "datasets": self = .dataset
        default:
            throw TrackingError.invalid("Invalid entity type '\(prefix)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']")
        }
    }
}
