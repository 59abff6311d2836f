import Foundation
public import JSON

/// `operator: sensor` — waits until a condition holds: `file` (exists in the workspace, or at an
/// absolute path), `http` (a URL answers 2xx) or `delay` (a duration has passed since the try
/// started). Checks every `poke_interval` (default 5s) and fails after `timeout` (default 1h).
/// A sensor waits inside the scheduler as a trigger: it never holds an executor slot.
public struct SensorOperator: OperatorDefinition {
    public static let name = "sensor"
    public static let settings: Set<String> = ["file", "http", "delay", "poke_interval", "timeout"]
    public static let requiredSettings: Set<String> = []
    public static let isDeferrable = true
    public static let templateEmbeddings: [String: TemplateEmbedding] = ["http": .url]

    public static func validate(_ settings: [String: JSONValue]) -> String? {
        let conditions = ["file", "http", "delay"].filter { settings[$0] != nil }
        guard conditions.count == 1 else { return "a sensor needs exactly one of 'file', 'http' or 'delay'" }
        for key in ["delay", "poke_interval", "timeout"] {
            guard case .string(let text)? = settings[key], !text.contains("{{") else { continue }
            do {
                _ = try DurationText.parse(text)
            } catch {
                return "\(key): \(error.message)"
            }
        }
        return nil
    }
}
