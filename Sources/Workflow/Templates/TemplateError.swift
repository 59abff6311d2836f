/// A template that cannot be rendered: which setting, which line of it, and why.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var setting: String
    public var line: Int?
    public var message: String

    public init(setting: String, line: Int?, message: String) {
        self.setting = setting
        self.line = line
        self.message = message
    }

    public var description: String {
        "template error in '\(setting)'\(line.map { " line \($0)" } ?? ""): \(message)"
    }
}
