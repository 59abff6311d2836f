import SQLKit
import Storage

extension TrackingStore {
    /// One page of registered models matching `filter` (`name`, `tags.<key>`), by `orderBy`
    /// (`name`, `creation_timestamp`, `last_updated_timestamp`), else by name.
    public func searchRegisteredModels(
        filter: String,
        maxResults: Int,
        orderBy: [String],
        offset: Int
    ) async throws -> (models: [RegisteredModel], nextOffset: Int?) {
        guard (1...1000).contains(maxResults) else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be between 1 and 1000")
        }
        let flavor = database.flavor
        let conditions = try FilterParser.parse(filter).clauses.map { clause throws(TrackingError) -> any SQLExpression in
            let key = clause.identifier.key
            switch clause.identifier.entity.lowercased() {
            case "", "attribute", "attributes":
                guard key == "name" else { throw .invalid("Invalid attribute key '\(key)' specified. Valid keys are '['name']'") }
                try FilterSQL.require(clause, in: SearchFilter.Comparator.string.union([.in]), for: "attribute 'name'")
                try FilterSQL.requireString(clause, for: "attribute 'name'")
                return FilterSQL.compare(SQLColumn("name", table: "registered_models"), clause.comparator, clause.value, flavor: flavor)
            case "tag", "tags":
                try FilterSQL.require(clause, in: SearchFilter.Comparator.string, for: "tag")
                try FilterSQL.requireString(clause, for: "tag")
                let comparison = FilterSQL.compare(
                    SQLColumn("value", table: "registered_model_tags"),
                    clause.comparator,
                    clause.value,
                    flavor: flavor
                )
                let matches = FilterSQL.exists(
                    in: "registered_model_tags",
                    link: "name",
                    owner: "registered_models.name",
                    key: key,
                    where: comparison
                )
                return Self.promptTagAware(clause, matches: matches) {
                    FilterSQL.exists(in: "registered_model_tags", link: "name", owner: "registered_models.name", key: key)
                }
            default:
                throw .invalid("Invalid entity type '\(clause.identifier.entity)'. Valid values are ['attribute', 'tag']")
            }
        }
        let orders = try Self.orders(
            orderBy,
            columns: [
                "name": "name", "timestamp": "creation_time", "creation_timestamp": "creation_time",
                "last_updated_timestamp": "last_updated_time",
            ],
            table: "registered_models"
        )
        return try await database.read { sql in
            var query = sql.select().column(SQLColumn("name", table: "registered_models")).from("registered_models")
            for condition in conditions { query = query.where(condition) }
            for order in orders { query = query.orderBy(order) }
            query = query.orderBy(SQLColumn("name", table: "registered_models")).limit(maxResults + 1).offset(offset)
            var names = try await query.all().map { try $0.string("name") }
            let hasMore = names.count > maxResults
            if hasMore { names.removeLast() }
            return (try await Self.loadRegisteredModels(sql, names: names), hasMore ? offset + maxResults : nil)
        }
    }

    /// One page of model versions matching `filter` (`name`, `run_id`, `source_path`,
    /// `version_number`, `tags.<key>`), by `orderBy`, else by name, newest version first.
    public func searchModelVersions(
        filter: String,
        maxResults: Int,
        orderBy: [String],
        offset: Int
    ) async throws -> (versions: [ModelVersion], nextOffset: Int?) {
        guard (1...200_000).contains(maxResults) else {
            throw TrackingError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied. It must be between 1 and 200000")
        }
        let flavor = database.flavor
        let conditions = try FilterParser.parse(filter).clauses.map { clause throws(TrackingError) -> any SQLExpression in
            let key = clause.identifier.key
            switch clause.identifier.entity.lowercased() {
            case "", "attribute", "attributes":
                switch key {
                case "name", "run_id", "source_path":
                    let allowed = key == "source_path" ? SearchFilter.Comparator.string : SearchFilter.Comparator.string.union([.in, .notIn])
                    try FilterSQL.require(clause, in: allowed, for: "attribute '\(key)'")
                    try FilterSQL.requireString(clause, for: "attribute '\(key)'")
                    return FilterSQL.compare(
                        SQLColumn(key == "source_path" ? "source" : key, table: "model_versions"),
                        clause.comparator,
                        clause.value,
                        flavor: flavor
                    )
                case "version_number":
                    try FilterSQL.require(clause, in: SearchFilter.Comparator.numeric, for: "attribute 'version_number'")
                    try FilterSQL.requireNumber(clause, for: "attribute 'version_number'")
                    return FilterSQL.compare(SQLColumn("version", table: "model_versions"), clause.comparator, clause.value, flavor: flavor)
                default:
                    throw .invalid("Invalid attribute key '\(key)' specified. Valid keys are '['name', 'run_id', 'source_path', 'version_number']'")
                }
            case "tag", "tags":
                try FilterSQL.require(clause, in: SearchFilter.Comparator.string, for: "tag")
                try FilterSQL.requireString(clause, for: "tag")
                let comparison = FilterSQL.compare(SQLColumn("value", table: "model_version_tags"), clause.comparator, clause.value, flavor: flavor)
                let prefix =
                    "EXISTS (SELECT 1 FROM model_version_tags WHERE model_version_tags.name = model_versions.name AND model_version_tags.version = model_versions.version AND model_version_tags.key = "
                let matches = SQLList([SQLRaw(prefix), SQLBind(key), SQLRaw(" AND "), comparison, SQLRaw(")")], separator: SQLRaw(""))
                return Self.promptTagAware(clause, matches: matches) {
                    SQLList([SQLRaw(prefix), SQLBind(key), SQLRaw(")")], separator: SQLRaw(""))
                }
            default:
                throw .invalid("Invalid entity type '\(clause.identifier.entity)'. Valid values are ['attribute', 'tag']")
            }
        }
        var orders = try Self.orders(
            orderBy,
            columns: [
                "name": "name", "version_number": "version", "creation_timestamp": "creation_time",
                "timestamp": "creation_time", "last_updated_timestamp": "last_updated_time",
            ],
            table: "model_versions"
        )
        if orders.isEmpty {
            orders = [
                SQLOrderBy(expression: SQLColumn("name", table: "model_versions"), direction: SQLDirection.ascending),
                SQLOrderBy(expression: SQLColumn("version", table: "model_versions"), direction: SQLDirection.descending),
            ]
        } else {
            orders += [
                SQLOrderBy(expression: SQLColumn("name", table: "model_versions"), direction: SQLDirection.ascending),
                SQLOrderBy(expression: SQLColumn("version", table: "model_versions"), direction: SQLDirection.ascending),
            ]
        }
        let condition = SQLList([SQLRaw("1 = 1")] + conditions, separator: SQLRaw(" AND "))
        let sortedOrders = orders
        return try await database.read { sql in
            var versions = try await Self.loadModelVersions(
                sql,
                where: condition,
                order: sortedOrders,
                limit: maxResults + 1,
                offset: offset,
                includeAliases: true
            )
            let hasMore = versions.count > maxResults
            if hasMore { versions.removeLast() }
            return (versions, hasMore ? offset + maxResults : nil)
        }
    }

    /// The tag MLflow 3 uses to tell prompts from models in the registry.
    static let promptTag = "mlflow.prompt.is_prompt"

    /// `matches`, except for MLflow's prompt tag, which models lack: for it, a missing tag counts
    /// as `'false'`, so the client's own filter `tags.\`mlflow.prompt.is_prompt\` != 'true'` keeps
    /// every model that is not a prompt.
    static func promptTagAware(_ clause: SearchFilter.Clause, matches: any SQLExpression, hasTag: () -> any SQLExpression) -> any SQLExpression {
        guard clause.identifier.key == promptTag, case .string(let value) = clause.value,
            (clause.comparator == .notEqual && value == "true") || (clause.comparator == .equal && value == "false")
        else {
            return matches
        }
        return SQLList([SQLRaw("("), matches, SQLRaw(" OR NOT "), hasTag(), SQLRaw(")")], separator: SQLRaw(""))
    }

    /// ORDER BY expressions for `order_by` strings whose keys `columns` maps to columns of `table`.
    static func orders(_ orderBy: [String], columns: [String: String], table: String) throws(TrackingError) -> [any SQLExpression] {
        var seen: Set<String> = []
        var expressions: [any SQLExpression] = []
        for (text, identifier, ascending) in try FilterParser.parseOrderBy(orderBy) {
            guard ["", "attribute", "attributes"].contains(identifier.entity.lowercased()), let column = columns[identifier.key] else {
                throw .invalid("Invalid order by key '\(text)' specified. Valid keys are \(columns.keys.sorted())")
            }
            guard seen.insert(column).inserted else { throw .invalid("`order_by` contains duplicate fields: \(orderBy)") }
            expressions.append(
                SQLOrderBy(expression: SQLColumn(column, table: table), direction: ascending ? SQLDirection.ascending : SQLDirection.descending)
            )
        }
        return expressions
    }
}
