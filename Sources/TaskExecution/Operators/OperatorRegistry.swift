import Workflow

/// The operators this task side runs: every one of ``OperatorCatalog/all``.
public enum OperatorRegistry {
    public static func named(_ name: String) -> (any TaskOperator.Type)? {
        OperatorCatalog.named(name) as? any TaskOperator.Type
    }
}
