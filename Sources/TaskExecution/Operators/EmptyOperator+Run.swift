public import Workflow

extension EmptyOperator: TaskOperator {
    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        .success(xcom: nil)
    }
}
