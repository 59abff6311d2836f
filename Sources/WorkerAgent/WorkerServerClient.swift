import AsyncHTTPClient
public import Foundation
import JSON
import NIOCore
import NIOHTTP1
import Synchronization

/// The worker's side of the worker API (`/edge_worker/v1`): one call per endpoint, failing over to
/// the next server URL when one cannot be reached. It uses AsyncHTTPClient (pooled keep-alive
/// connections on an event loop), which waits on long polls without spending CPU.
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

    /// The most bytes an answer may have.
    static let maximumAnswer = 64 << 20

    let servers: [URL]
    let token: String
    let name: String
    /// The server that answered last.
    private let current = Atomic(0)
    /// Connections give up after 2 s, so that a server host that vanished (no answer at all) is
    /// failed over quickly, well within the heartbeat timeout.
    private let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(2)))
    )

    public init(servers: [URL], token: String, name: String) {
        self.servers = servers
        self.token = token
        self.name = name
    }

    /// Sends `body` to `path` (under `/edge_worker/v1`) on the current server, then each other one
    /// in turn while they cannot be reached.
    /// - Parameter long: a long poll, which may take longer to answer.
    func call(_ method: String, _ path: String, body: JSONValue, long: Bool = false) async throws -> JSONValue {
        var lastProblem = ""
        let payload = body.jsonText
        for attempt in 0..<servers.count {
            let index = (current.load(ordering: .relaxed) + attempt) % servers.count
            let url = servers[index].appendingPathComponent("edge_worker/v1").appendingPathComponent(path)
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = HTTPMethod(rawValue: method)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: payload))
            let status: Int
            let answer: ByteBuffer
            do {
                let response = try await http.execute(request, timeout: .seconds(long ? 60 : 30))
                status = Int(response.status.code)
                answer = try await response.body.collect(upTo: Self.maximumAnswer)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastProblem = "cannot reach \(url.absoluteString): \(error)"
                continue
            }
            let text = String(buffer: answer)
            if status >= 500 {
                lastProblem = "\(servers[index]) answered \(status): \(text.prefix(300))"
                continue
            }
            current.store(index, ordering: .relaxed)
            let detail = Self.detail(text)
            if status == 401 { throw Failure.unauthorized(detail) }
            guard (200..<300).contains(status) else { throw Failure.refused(status: status, detail: detail) }
            if answer.readableBytes == 0 { return .null }
            do {
                return try JSONParser.parse(Array(answer.readableBytesView))
            } catch {
                throw Failure.unavailable("\(servers[index]) answered something that is not JSON: \(text.prefix(300))")
            }
        }
        throw Failure.unavailable(lastProblem)
    }

    /// Moves task data to or from the server that answered last (a stream cannot be sent twice,
    /// so there is no fail-over): `…/data/{name}` with `query`.
    /// - Returns: the answer, its body not yet read.
    func data(_ method: HTTPMethod, query: [(String, String)], body: HTTPClientRequest.Body?) async throws -> HTTPClientResponse {
        let server = servers[current.load(ordering: .relaxed) % servers.count]
        guard
            var components = URLComponents(
                url: server.appendingPathComponent("edge_worker/v1/data").appendingPathComponent(name),
                resolvingAgainstBaseURL: false
            )
        else { throw Failure.refused(status: 400, detail: "cannot build the data URL") }
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space to some servers: spell it out in the query.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components.percentEncodedQuery = encoded
        guard let url = components.url else { throw Failure.refused(status: 400, detail: "cannot build the data URL") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = body
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(2))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Failure.unavailable("cannot reach \(server): \(error)")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let text = String(buffer: (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer())
            if status == 401 { throw Failure.unauthorized(Self.detail(text)) }
            throw status >= 500
                ? Failure.unavailable("\(server) answered \(status): \(Self.detail(text))")
                : Failure.refused(status: status, detail: Self.detail(text))
        }
        return response
    }

    /// Closes the connections (once the worker stops).
    func shutdown() async {
        try? await http.shutdown()
    }

    static func detail(_ text: String) -> String {
        if let value = try? JSONParser.parse(Array(text.utf8)), let detail = value["detail"]?.string { return detail }
        return String(text.prefix(300))
    }
}
