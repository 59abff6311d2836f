/// `operator: empty` — does nothing; for joining branches and marking milestones.
public struct EmptyOperator: OperatorDefinition {
    public static let name = "empty"
    public static let settings: Set<String> = []
    public static let requiredSettings: Set<String> = []
}
