import Fetching
import Foundation
public import Workflow

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension SensorOperator: TaskOperator {
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
            do {
                return try await HTTPClient(timeout: .seconds(10)).send(URLRequest(url: url), maximumSize: 1 << 20).isSuccess
            } catch let error as HTTPClientError {
                // Not up yet; but an answer too large to read would never do.
                if case .tooLarge = error.reason { throw TaskFailure("the sensor's \(error.message)") }
                return false
            }
        }
        throw TaskFailure("a sensor needs 'file', 'http' or 'delay'")
    }
}
