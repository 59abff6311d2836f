public import JSON

/// A task's templates rendered for one try: what the try runs with (on the task side), and what
/// the UI shows as the task instance's rendered fields.
public enum TaskTemplates {
    /// What Variable values rendered templates show: Variables may hold secrets, which viewers
    /// may not read (the REST API refuses them Variables too).
    public static let maskedVariable = "***"

    /// Whether rendering `task` reads XComs and Variables: it has templates, or it is a python
    /// task, whose code receives the whole context.
    public static func readsContext(_ task: TaskDefinition) -> Bool {
        task.operatorName == PythonOperator.name || task.usesTemplates
    }

    /// The rendered settings and environment of a task of operator `operatorName`.
    /// - Throws: ``TemplateError`` for an undefined variable or a bad template.
    public static func render(
        settings: [String: JSONValue],
        environment: [String: String],
        operatorName: String,
        context: [String: JSONValue]
    ) throws(TemplateError) -> (settings: [String: JSONValue], environment: [String: String]) {
        let renderer = TemplateRenderer(context: context)
        let rendered = try renderer.render(settings, embeddings: OperatorCatalog.named(operatorName)?.templateEmbeddings ?? [:])
        var renderedEnvironment: [String: String] = [:]
        for (name, value) in environment {
            // A value that is one `{{ … }}` keeps its JSON type when rendered; the environment takes its text.
            switch try renderer.render(.string(value), at: "env.\(name)") {
            case .string(let text): renderedEnvironment[name] = text
            case .number(let number): renderedEnvironment[name] = number.literal
            case let other: renderedEnvironment[name] = other.jsonText
            }
        }
        return (rendered, renderedEnvironment)
    }
}
