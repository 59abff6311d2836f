/// A parsed MLflow search filter: clauses joined by `AND` (MLflow has no `OR`).
public struct SearchFilter: Sendable, Equatable {
    public var clauses: [Clause]

    public init(clauses: [Clause]) {
        self.clauses = clauses
    }

    /// The empty filter, matching everything.
    public static let all = SearchFilter(clauses: [])

    /// `identifier comparator value`, e.g. `metrics.rmse < 0.5` or `tags.team IS NULL`.
    public struct Clause: Sendable, Equatable {
        public var identifier: Identifier
        public var comparator: Comparator
        public var value: Value

        public init(_ identifier: Identifier, _ comparator: Comparator, _ value: Value) {
            self.identifier = identifier
            self.comparator = comparator
            self.value = value
        }
    }

    /// `entity.key` as written: the entity prefix (`metrics`, `params`, `tags`, `attributes`,
    /// `datasets`, … or empty for a bare key) and the key, unquoted.
    public struct Identifier: Sendable, Equatable {
        public var entity: String
        public var key: String

        public init(entity: String, key: String) {
            self.entity = entity
            self.key = key
        }
    }

    public enum Comparator: String, Sendable, Equatable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case like = "LIKE"
        case ilike = "ILIKE"
        case `in` = "IN"
        case notIn = "NOT IN"
        case isNull = "IS NULL"
        case isNotNull = "IS NOT NULL"

        /// `> >= = != < <=`
        public static let numeric: Set<Comparator> = [.greater, .greaterOrEqual, .equal, .notEqual, .less, .lessOrEqual]
        /// `= != LIKE ILIKE`
        public static let string: Set<Comparator> = [.equal, .notEqual, .like, .ilike]
    }

    public enum Value: Sendable, Equatable {
        /// An unquoted number.
        case number(Double, literal: String)
        /// A single- or double-quoted string.
        case string(String)
        /// A parenthesised list of quoted strings, for `IN` and `NOT IN`.
        case list([String])
        /// No value: `IS NULL` and `IS NOT NULL`.
        case none
    }
}
