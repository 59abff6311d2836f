import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import JSON

/// `operator: sensor` — waits until a condition holds: `file` (exists in the workspace, or at an
/// absolute path), `http` (a URL answers 2xx) or `delay` (a duration has passed since the try
/// started). Checks every `poke_interval` (default 5s) and fails after `timeout` (default 1h).
/// A sensor waits inside the scheduler as a trigger: it never holds an executor slot.
public struct SensorOperator: TaskOperator {
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

    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        let interval = try context.string("poke_interval").map { try DurationText.parse($0) } ?? .seconds(5)
        let timeout = try context.string("timeout").map { try DurationText.parse($0) } ?? .seconds(3600)
        let clock = ContinuousClock()
        let started = clock.now
        if let delay = try context.string("delay").map({ try DurationText.parse($0) }) {
            context.log.write("Waiting \(DurationText.format(delay))")
            try await Task.sleep(for: delay)
            return .success(xcom: nil)
        }
        var pokes = 0
        while true {
            pokes += 1
            if try await poke(context) {
                context.log.write("The condition holds after \(pokes) poke(s)")
                return .success(xcom: nil)
            }
            if clock.now - started >= timeout {
                throw TaskFailure("the sensor's condition did not hold within its timeout of \(DurationText.format(timeout))")
            }
            try await Task.sleep(for: interval)
        }
    }

    private static func poke(_ context: TaskRunContext) async throws -> Bool {
        if let file = context.string("file") {
            let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : try WorkspacePath.resolve(file, in: context.workspace)
            return FileManager.default.fileExists(atPath: url.path)
        }
        if let address = context.string("http"), let url = URL(string: address) {
            var request = URLRequest(url: url)
            request.timeoutInterval = 10
            guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
            return (200..<300).contains((response as? HTTPURLResponse)?.statusCode ?? 0)
        }
        throw TaskFailure("a sensor needs 'file', 'http' or 'delay'")
    }
}
