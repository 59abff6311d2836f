import Foundation
public import Workflow

/// How an operator runs one try of a task, its settings already rendered: the task side of an
/// ``OperatorDefinition``.
public protocol TaskOperator: OperatorDefinition {
    /// Runs one try.
    static func run(_ context: TaskRunContext) async throws -> TaskOutcome
}
