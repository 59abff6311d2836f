import SQLKit
import Storage

/// Turns one comparison of a search filter into SQL with bound parameters only: values never become
/// SQL text, so no filter can inject SQL.
enum FilterSQL {
    /// `column comparator value`. `LIKE` is case-sensitive and `ILIKE` is not, on both databases
    /// (SQLite's own `LIKE` ignores case, so there `LIKE` becomes `GLOB`).
    static func compare(_ column: any SQLExpression, _ comparator: SearchFilter.Comparator, _ value: SearchFilter.Value, flavor: SQLFlavor) -> any SQLExpression {
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
            let operation: SQLBinaryOperator = switch comparator {
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
}
