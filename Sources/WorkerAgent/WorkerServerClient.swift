import Fetching
public import Foundation
public import JSON
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The worker's side of the worker API (`/edge_worker/v1`): one call per endpoint, failing over to
/// the next server URL when one cannot be reached.
public final class WorkerServerClient: Sendable {
    /// Why a call failed.
    public enum Failure: Error, CustomStringConvertible {
        /// The token is wrong or revoked (401): retrying will not help.
        case unauthorized(String)
        /// The server refused the call (4xx other than 401): what it said.
        case refused(status: Int, detail: String)
        /// No server answered (or one answered 5xx).
        case unavailable(String)

        public var description: String {
            switch self {
            case .unauthorized(let detail): "the server refused the worker token: \(detail)"
            case .refused(let status, let detail): "the server refused the call (\(status)): \(detail)"
            case .unavailable(let detail): "no server answered: \(detail)"
            }
        }
    }

    let servers: [URL]
    let token: String
    let name: String
    /// The server that answered last.
    private let current = Atomic(0)
    private let client = HTTPClient(timeout: .seconds(30))
    private let longClient = HTTPClient(timeout: .seconds(60))

    public init(servers: [URL], token: String, name: String) {
        self.servers = servers
        self.token = token
        self.name = name
    }

    /// Sends `body` to `path` (under `/edge_worker/v1`) on the current server, then each other one
    /// in turn while they cannot be reached.
    func call(_ method: String, _ path: String, body: JSONValue, long: Bool = false) async throws -> JSONValue {
        var lastProblem = ""
        for attempt in 0..<servers.count {
            let index = (current.load(ordering: .relaxed) + attempt) % servers.count
            var request = URLRequest(url: servers[index].appendingPathComponent("edge_worker/v1").appendingPathComponent(path))
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.jsonText.utf8)
            let answer: HTTPAnswer
            do {
                answer = try await (long ? longClient : client).send(request, maximumSize: 64 << 20)
            } catch let error as HTTPClientError {
                lastProblem = error.message
                continue
            }
            if answer.status >= 500 {
                lastProblem = "\(servers[index]) answered \(answer.status): \(answer.excerpt())"
                continue
            }
            current.store(index, ordering: .relaxed)
            let detail = Self.detail(answer)
            if answer.status == 401 { throw Failure.unauthorized(detail) }
            guard answer.isSuccess else { throw Failure.refused(status: answer.status, detail: detail) }
            if answer.body.isEmpty { return .null }
            do {
                return try JSONParser.parse(Array(answer.body))
            } catch {
                throw Failure.unavailable("\(servers[index]) answered something that is not JSON: \(answer.excerpt())")
            }
        }
        throw Failure.unavailable(lastProblem)
    }

    static func detail(_ answer: HTTPAnswer) -> String {
        if let value = try? JSONParser.parse(Array(answer.body)), let detail = value["detail"]?.string { return detail }
        return answer.excerpt()
    }
}
