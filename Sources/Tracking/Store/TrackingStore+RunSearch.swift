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
        experimentIDs: [String], filter: String, viewType: ViewType, maxResults: Int, orderBy: [String], offset: Int
    ) async throws -> (runs: [Run], nextOffset: Int?) {
        guard maxResults >= 1 else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive integer")
        }
        guard maxResults <= Self.maximumRunsPerPage else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most \(Self.maximumRunsPerPage)")
        }
        let experiments = try experimentIDs.map { id throws(TrackingError) in try TrackingValidation.experimentID(id) }
        let flavor = database.flavor
        let conditions = try FilterParser.parse(filter).clauses.map { clause throws(TrackingError) in try Self.runCondition(clause, flavor: flavor) }
        let orders = try Self.runOrders(orderBy)
        return try await database.read { sql in
            guard !experiments.isEmpty else { return ([], nil) }
            var query = sql.select().column(SQLColumn("run_id", table: "runs")).from("runs")
                .where(SQLColumn("experiment_id", table: "runs"), .in, SQLBind.group(experiments))
                .where(SQLColumn("lifecycle_stage", table: "runs"), .in, SQLBind.group(viewType.stages.map(\.rawValue)))
            for condition in conditions { query = query.where(condition) }
            for order in orders { query = query.orderBy(order) }
            query = query.limit(maxResults + 1).offset(offset)
            var ids = try await query.all().map { try $0.string("run_id") }
            let hasMore = ids.count > maxResults
            if hasMore { ids.removeLast() }
            return (try await Self.loadRuns(sql, ids: ids), hasMore ? offset + maxResults : nil)
        }
    }

    /// The SQL condition of one clause of a run filter, checked against MLflow's rules.
    static func runCondition(_ clause: SearchFilter.Clause, flavor: SQLFlavor) throws(TrackingError) -> any SQLExpression {
        let key = clause.identifier.key
        switch try RunEntity(clause.identifier.entity) {
        case .metric:
            try FilterSQL.require(clause, in: SearchFilter.Comparator.numeric, for: "metric")
            try FilterSQL.requireNumber(clause, for: "metric")
            let comparison = FilterSQL.compare(SQLColumn("value", table: "latest_metrics"), clause.comparator, clause.value, flavor: flavor)
            return FilterSQL.exists(in: "latest_metrics", link: "run_id", owner: "runs.run_id", key: key,
                                    where: SQLList([SQLRaw("latest_metrics.is_nan = "), SQLBind(false), SQLRaw(" AND "), comparison], separator: SQLRaw("")))
        case .param, .tag:
            let table = try RunEntity(clause.identifier.entity) == .param ? "params" : "tags"
            let what = table == "params" ? "parameter" : "tag"
            try FilterSQL.require(clause, in: SearchFilter.Comparator.string.union([.isNull, .isNotNull]), for: what)
            try FilterSQL.requireString(clause, for: what)
            switch clause.comparator {
            case .isNull:
                return SQLList([SQLRaw("NOT "), FilterSQL.exists(in: table, link: "run_id", owner: "runs.run_id", key: key)], separator: SQLRaw(""))
            case .isNotNull:
                return FilterSQL.exists(in: table, link: "run_id", owner: "runs.run_id", key: key)
            default:
                let comparison = FilterSQL.compare(SQLColumn("value", table: table), clause.comparator, clause.value, flavor: flavor)
                return FilterSQL.exists(in: table, link: "run_id", owner: "runs.run_id", key: key, where: comparison)
            }
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
                let comparison = FilterSQL.compare(SQLColumn("value", table: "run_dataset_input_tags"), clause.comparator, clause.value, flavor: flavor)
                return SQLList([
                    SQLRaw("EXISTS (SELECT 1 FROM run_dataset_input_tags WHERE run_dataset_input_tags.run_id = runs.run_id AND run_dataset_input_tags.key = "),
                    SQLBind("mlflow.data.context"), SQLRaw(" AND "), comparison, SQLRaw(")"),
                ], separator: SQLRaw(""))
            }
            let comparison = FilterSQL.compare(SQLColumn(key, table: "datasets"), clause.comparator, clause.value, flavor: flavor)
            return SQLList([
                SQLRaw("EXISTS (SELECT 1 FROM run_dataset_inputs JOIN datasets ON datasets.dataset_uuid = run_dataset_inputs.dataset_uuid WHERE run_dataset_inputs.run_id = runs.run_id AND "),
                comparison, SQLRaw(")"),
            ], separator: SQLRaw(""))
        }
    }

    /// ORDER BY expressions for MLflow `order_by` strings, with the tie-breakers MLflow adds.
    static func runOrders(_ orderBy: [String]) throws(TrackingError) -> [any SQLExpression] {
        var expressions: [any SQLExpression] = []
        var seen: Set<String> = []
        var ordersStartTime = false
        for text in orderBy {
            let (identifier, ascending) = try FilterParser.parseOrderBy(text)
            let entity = try RunEntity(identifier.entity)
            let fingerprint = "\(entity).\(identifier.key)"
            guard seen.insert(fingerprint).inserted else {
                throw TrackingError.invalid("`order_by` contains duplicate fields: \(orderBy)")
            }
            let direction: SQLDirection = ascending ? .ascending : .descending
            switch entity {
            case .metric:
                // Numbers, then NaN, then runs without the metric, whatever the direction.
                let isNaN = FilterSQL.value("is_nan", in: "latest_metrics", link: "run_id", owner: "runs.run_id", key: identifier.key)
                let value = FilterSQL.value("value", in: "latest_metrics", link: "run_id", owner: "runs.run_id", key: identifier.key)
                expressions.append(SQLOrderBy(expression: SQLList([
                    SQLRaw("CASE WHEN "), isNaN, SQLRaw(" IS NULL THEN 2 WHEN "), isNaN, SQLRaw(" = "), SQLBind(true), SQLRaw(" THEN 1 ELSE 0 END"),
                ], separator: SQLRaw("")), direction: SQLDirection.ascending))
                expressions.append(SQLOrderBy(expression: value, direction: direction))
            case .param, .tag:
                let table = entity == .param ? "params" : "tags"
                let value = FilterSQL.value("value", in: table, link: "run_id", owner: "runs.run_id", key: identifier.key)
                expressions.append(SQLOrderBy(expression: SQLList([SQLRaw("CASE WHEN "), value, SQLRaw(" IS NULL THEN 1 ELSE 0 END")], separator: SQLRaw("")),
                                              direction: SQLDirection.ascending))
                expressions.append(SQLOrderBy(expression: value, direction: direction))
            case .attribute:
                let column: String = switch identifier.key {
                case "start_time", "created", "Created": "start_time"
                case "end_time", "run_id", "status", "user_id", "artifact_uri": identifier.key
                case "run_name", "run name": "name"
                default:
                    throw TrackingError.invalid("Invalid attribute key '\(identifier.key)' specified in order_by. Valid keys are ['artifact_uri', 'created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id']")
                }
                if column == "start_time" { ordersStartTime = true }
                if column == "end_time" {
                    expressions.append(SQLOrderBy(expression: SQLRaw("CASE WHEN runs.end_time IS NULL THEN 1 ELSE 0 END"), direction: SQLDirection.ascending))
                }
                expressions.append(SQLOrderBy(expression: SQLColumn(column, table: "runs"), direction: direction))
            case .dataset:
                throw TrackingError.invalid("Ordering runs by datasets is not supported.")
            }
        }
        if !ordersStartTime { expressions.append(SQLOrderBy(expression: SQLColumn("start_time", table: "runs"), direction: SQLDirection.descending)) }
        expressions.append(SQLOrderBy(expression: SQLColumn("run_id", table: "runs"), direction: SQLDirection.ascending))
        return expressions
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
