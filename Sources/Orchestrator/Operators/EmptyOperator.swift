/// `operator: empty` — does nothing; for joining branches and marking milestones.
public struct EmptyOperator: TaskOperator {
    public static let name = "empty"
    public static let settings: Set<String> = []
    public static let requiredSettings: Set<String> = []

    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        .success(xcom: nil)
    }
}
