import SQLKit
import Storage

extension TrackingStore {
    /// The largest page `experiments/search` returns.
    public static let maximumExperimentsPerPage = 50_000

    /// One page of experiments matching `filter`, by `orderBy` (`name`, `experiment_id`,
    /// `creation_time`, `last_update_time`, each `ASC` or `DESC`), else newest first; the experiment
    /// ID always breaks ties.
    public func searchExperiments(
        filter: String,
        viewType: ViewType,
        maxResults: Int,
        orderBy: [String],
        offset: Int
    ) async throws -> (experiments: [Experiment], nextOffset: Int?) {
        guard maxResults >= 1 else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be a positive integer")
        }
        guard maxResults <= Self.maximumExperimentsPerPage else {
            throw TrackingError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most \(Self.maximumExperimentsPerPage)"
            )
        }
        let flavor = database.flavor
        let conditions = try FilterParser.parse(filter).clauses.map { clause throws(TrackingError) in
            try Self.experimentCondition(clause, flavor: flavor)
        }
        var orders: [any SQLExpression] = []
        var seen: Set<String> = []
        for (text, identifier, ascending) in try FilterParser.parseOrderBy(orderBy) {
            guard ["", "attribute", "attributes"].contains(identifier.entity.lowercased()),
                ["name", "experiment_id", "creation_time", "last_update_time"].contains(identifier.key)
            else {
                throw TrackingError.invalid(
                    "Invalid order_by entity '\(text)': order experiments by name, experiment_id, creation_time or last_update_time."
                )
            }
            guard seen.insert(identifier.key).inserted else { throw TrackingError.invalid("`order_by` contains duplicate fields: \(orderBy)") }
            orders.append(
                SQLOrderBy(
                    expression: SQLColumn(identifier.key, table: "experiments"),
                    direction: ascending ? SQLDirection.ascending : SQLDirection.descending
                )
            )
        }
        if orders.isEmpty {
            orders.append(SQLOrderBy(expression: SQLColumn("creation_time", table: "experiments"), direction: SQLDirection.descending))
        }
        if !seen.contains("experiment_id") {
            orders.append(SQLOrderBy(expression: SQLColumn("experiment_id", table: "experiments"), direction: SQLDirection.ascending))
        }
        let condition = SQLList(
            [SQLBinaryExpression(SQLColumn("lifecycle_stage", table: "experiments"), .in, SQLBind.group(viewType.stages.map(\.rawValue)))]
                + conditions,
            separator: SQLRaw(" AND ")
        )
        let sortedOrders = orders
        return try await database.read { sql in
            var experiments = try await Self.loadExperiments(sql, where: condition, orderBy: sortedOrders, limit: maxResults + 1, offset: offset)
            let hasMore = experiments.count > maxResults
            if hasMore { experiments.removeLast() }
            return (experiments, hasMore ? offset + maxResults : nil)
        }
    }

    static func experimentCondition(_ clause: SearchFilter.Clause, flavor: SQLFlavor) throws(TrackingError) -> any SQLExpression {
        let key = clause.identifier.key
        switch clause.identifier.entity.lowercased() {
        case "", "attribute", "attributes":
            switch key {
            case "name":
                try FilterSQL.require(clause, in: SearchFilter.Comparator.string, for: "attribute 'name'")
                try FilterSQL.requireString(clause, for: "attribute 'name'")
                return FilterSQL.compare(SQLColumn("name", table: "experiments"), clause.comparator, clause.value, flavor: flavor)
            case "experiment_id":
                try FilterSQL.require(clause, in: [.equal, .in], for: "attribute 'experiment_id'")
                let ids: SearchFilter.Value =
                    switch clause.value {
                    case .string(let id): .number(Double(try TrackingValidation.experimentID(id)), literal: id)
                    case .list(let items): .list(items)
                    default: clause.value
                    }
                if case .list(let items) = ids {
                    let numbers = try items.map { item throws(TrackingError) in try TrackingValidation.experimentID(item) }
                    return SQLBinaryExpression(SQLColumn("experiment_id", table: "experiments"), .in, SQLBind.group(numbers))
                }
                return FilterSQL.compare(SQLColumn("experiment_id", table: "experiments"), clause.comparator, ids, flavor: flavor)
            case "creation_time", "last_update_time":
                try FilterSQL.require(clause, in: SearchFilter.Comparator.numeric, for: "attribute '\(key)'")
                try FilterSQL.requireNumber(clause, for: "attribute '\(key)'")
                return FilterSQL.compare(SQLColumn(key, table: "experiments"), clause.comparator, clause.value, flavor: flavor)
            default:
                throw TrackingError.invalid(
                    "Invalid attribute key '\(key)' specified. Valid keys are '['creation_time', 'experiment_id', 'last_update_time', 'name']'"
                )
            }
        case "tag", "tags":
            try FilterSQL.require(clause, in: SearchFilter.Comparator.string.union([.isNull, .isNotNull]), for: "tag")
            try FilterSQL.requireString(clause, for: "tag")
            switch clause.comparator {
            case .isNull:
                return SQLList(
                    [SQLRaw("NOT "), FilterSQL.exists(in: "experiment_tags", link: "experiment_id", owner: "experiments.experiment_id", key: key)],
                    separator: SQLRaw("")
                )
            case .isNotNull:
                return FilterSQL.exists(in: "experiment_tags", link: "experiment_id", owner: "experiments.experiment_id", key: key)
            default:
                let comparison = FilterSQL.compare(SQLColumn("value", table: "experiment_tags"), clause.comparator, clause.value, flavor: flavor)
                return FilterSQL.exists(in: "experiment_tags", link: "experiment_id", owner: "experiments.experiment_id", key: key, where: comparison)
            }
        default:
            throw TrackingError.invalid("Invalid entity type '\(clause.identifier.entity)'. Valid values are ['attribute', 'tag']")
        }
    }
}
