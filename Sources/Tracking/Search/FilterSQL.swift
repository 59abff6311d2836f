import SQLKit
import Storage

/// Turns one comparison of a search filter into SQL with bound parameters only: values never become
/// SQL text, so no filter can inject SQL.
enum FilterSQL {
    /// `column comparator value`. `LIKE` is case-sensitive and `ILIKE` is not, on both databases
    /// (SQLite's own `LIKE` ignores case, so there `LIKE` becomes `GLOB`).
    static func compare(
        _ column: any SQLExpression,
        _ comparator: SearchFilter.Comparator,
        _ value: SearchFilter.Value,
        flavor: SQLFlavor
    ) -> any SQLExpression {
        switch (comparator, value) {
        case (.isNull, _): return SQLBinaryExpression(column, .is, SQLLiteral.null)
        case (.isNotNull, _): return SQLBinaryExpression(column, .isNot, SQLLiteral.null)
        case (.in, .list(let items)): return SQLBinaryExpression(column, .in, SQLBind.group(items))
        case (.notIn, .list(let items)): return SQLBinaryExpression(column, .notIn, SQLBind.group(items))
        case (.like, .string(let pattern)):
            if flavor == .sqlite { return SQLBinaryExpression(left: column, op: SQLRaw("GLOB"), right: SQLBind(globPattern(fromLike: pattern))) }
            return SQLBinaryExpression(column, .like, SQLBind(pattern))
        case (.ilike, .string(let pattern)):
            if flavor == .sqlite {
                return SQLBinaryExpression(SQLFunction("LOWER", args: column), .like, SQLFunction("LOWER", args: SQLBind(pattern)))
            }
            return SQLBinaryExpression(left: column, op: SQLRaw("ILIKE"), right: SQLBind(pattern))
        default:
            let operation: SQLBinaryOperator =
                switch comparator {
                case .equal: .equal
                case .notEqual: .notEqual
                case .less: .lessThan
                case .lessOrEqual: .lessThanOrEqual
                case .greater: .greaterThan
                default: .greaterThanOrEqual
                }
            return SQLBinaryExpression(column, operation, bind(value))
        }
    }

    static func bind(_ value: SearchFilter.Value) -> any SQLExpression {
        switch value {
        case .number(let number, _): SQLBind(number)
        case .string(let string): SQLBind(string)
        case .list(let items): SQLBind.group(items)
        case .none: SQLLiteral.null
        }
    }

    /// A `GLOB` pattern matching what the `LIKE` pattern matches, case-sensitively: `%` → `*`,
    /// `_` → `?`, and GLOB's own special characters taken literally.
    static func globPattern(fromLike pattern: String) -> String {
        var glob = ""
        for character in pattern {
            switch character {
            case "%": glob += "*"
            case "_": glob += "?"
            case "*": glob += "[*]"
            case "?": glob += "[?]"
            case "[": glob += "[[]"
            default: glob.append(character)
            }
        }
        return glob
    }

    /// `EXISTS (SELECT 1 FROM table WHERE table.link = owner AND table.key = ? [AND condition])`: the
    /// owner has an entry with that key (whose value matches `condition`).
    static func exists(in table: String, link: String, owner: String, key: String, where condition: (any SQLExpression)? = nil) -> any SQLExpression {
        var parts: [any SQLExpression] = [
            SQLRaw("EXISTS (SELECT 1 FROM \(table) WHERE \(table).\(link) = \(owner) AND \(table).key = "), SQLBind(key),
        ]
        if let condition { parts += [SQLRaw(" AND "), condition] }
        parts.append(SQLRaw(")"))
        return SQLList(parts, separator: SQLRaw(""))
    }

    /// Checks that a clause's comparator is one of `allowed`, with MLflow's message.
    static func require(_ clause: SearchFilter.Clause, in allowed: Set<SearchFilter.Comparator>, for what: String) throws(TrackingError) {
        guard allowed.contains(clause.comparator) else {
            let names = allowed.map(\.rawValue).sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw .invalid("Invalid comparator '\(clause.comparator.rawValue)' not one of '{\(names)}' for \(what)")
        }
    }

    /// The clause's number, or MLflow's error for a non-numeric value.
    static func requireNumber(_ clause: SearchFilter.Clause, for what: String) throws(TrackingError) {
        guard case .number = clause.value else {
            throw .invalid("Expected numeric value type for \(what). Found \(clause.value)")
        }
    }

    /// The clause's quoted string (or list for IN), or MLflow's error for another value.
    static func requireString(_ clause: SearchFilter.Clause, for what: String) throws(TrackingError) {
        switch clause.value {
        case .string, .list, .none: return
        case .number(_, let literal):
            throw .invalid("Expected a quoted string value for \(what) (e.g. 'my-value'). Got value \(literal)")
        }
    }
}
