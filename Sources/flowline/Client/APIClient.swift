import ArgumentParser
import Fetching
import FlowlineStack
import Foundation
import JSON

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the orchestrator's REST API is, and who logs in: for the commands that work from any
/// machine through the API.
struct ServerOptions: ParsableArguments {
    @Option(Settings.server) var server: String?
    @Option(Settings.user) var username: String?
    @Option(Settings.password) var password: String?

    /// A logged-in client.
    /// - Throws: ``SettingsError`` for a server that is not an http(s) URL; ``APIClient/Failure``
    ///   when logging in fails.
    func client() async throws -> APIClient {
        let settings = Settings.process
        let base = try settings.value(Settings.server, flag: server)
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base) else {
            throw ValidationError("--server must be an http(s) URL, like \(Settings.server.defaultValue)")
        }
        let user = try settings.value(Settings.user, flag: username)
        let secret = try settings.value(Settings.password, flag: password)
        return try await APIClient.login(base: url, username: user, password: secret)
    }
}

/// A small client of the orchestrator's REST API (Airflow 3's `/api/v2` shapes).
struct APIClient: Sendable {
    let base: URL
    let token: String

    /// An error answer of the server, shown as its `detail`.
    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var detail: String
        var description: String { "the server answered \(status): \(detail)" }
    }

    static func login(base: URL, username: String, password: String) async throws -> APIClient {
        let unauthenticated = APIClient(base: base, token: "")
        let body = JSONValue.object(["username": .string(username), "password": .string(password)])
        let answer = try await unauthenticated.send("POST", "/auth/token", body: body, authenticated: false)
        guard case .object(let fields) = answer, case .string(let token)? = fields["access_token"] else {
            throw Failure(status: 0, detail: "no token in the login answer")
        }
        return APIClient(base: base, token: token)
    }

    /// Sends a request and returns the JSON answer; a non-2xx answer throws ``Failure``.
    @discardableResult
    func send(
        _ method: String,
        _ path: String,
        query: [String: String] = [:],
        body: JSONValue? = nil,
        authenticated: Bool = true
    ) async throws -> JSONValue {
        let (data, _) = try await raw(method, path, query: query, body: body, authenticated: authenticated, accept: "application/json")
        guard !data.isEmpty else { return .null }
        return (try? JSONParser.parse(Array(data))) ?? .string(String(decoding: data, as: UTF8.self))
    }

    func raw(
        _ method: String,
        _ path: String,
        query: [String: String] = [:],
        body: JSONValue? = nil,
        authenticated: Bool = true,
        accept: String
    ) async throws -> (Data, [String: String]) {
        // The path is already percent-encoded: appendingPathComponent would encode its '%' again.
        let baseText = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        var components = URL(string: baseText + path).flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: false) }
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw Failure(status: 0, detail: "bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if authenticated { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.jsonText.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let answer: HTTPAnswer
        do {
            answer = try await HTTPClient().send(request)
        } catch let error as HTTPClientError {
            throw Failure(status: 0, detail: "\(error.message) (is `flowline up` or `flowline server` running? --server sets the URL)")
        }
        guard answer.isSuccess else {
            var detail = String(decoding: answer.body, as: UTF8.self)
            if case .object(let fields)? = try? JSONParser.parse(Array(answer.body)), let value = fields["detail"] {
                if case .string(let text) = value { detail = text } else { detail = value.jsonText }
            }
            throw Failure(status: answer.status, detail: detail)
        }
        return (answer.body, answer.headers)
    }

    /// A path segment, percent-encoded (run ids contain `:` and `+`).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
