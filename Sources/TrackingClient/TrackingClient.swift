import Fetching
public import Foundation
public import JSON
public import ObjectStorage

#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// A client of the MLflow REST API (Flowline's tracking server or MLflow's own): what the project
/// operator, `flowline fit`, the model commands and serving need.
public struct TrackingClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL
    private let http: HTTPClient
    /// Reads and writes `s3://` artifact locations (a server with `--no-serve-artifacts`) itself,
    /// as the official client does with boto3; `nil`: they are refused, saying what to set.
    public var objectStore: S3Client?
    /// The `Authorization` header every request carries when the server wants a login: `Bearer
    /// <token>` or `Basic <base64>` (``authorization(environment:)``); `nil`: none.
    public var authorization: String?

    public init(baseURL: URL, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.http = HTTPClient(session: session)
    }

    /// A client for a tracking URI as `MLFLOW_TRACKING_URI` gives it.
    public init(trackingURI: String) throws(TrackingClientError) {
        let trimmed = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
        guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking URI '\(trackingURI)' is not an http(s) URL of a tracking server")
        }
        self.init(baseURL: url)
    }

    /// The credentials the `mlflow` client would send in `environment`: `MLFLOW_TRACKING_TOKEN` as a
    /// bearer token, else `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD` as HTTP basic;
    /// `nil` when none is set.
    public static func authorization(environment: [String: String]) -> String? {
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty { return "Bearer \(token)" }
        guard let username = environment["MLFLOW_TRACKING_USERNAME"], !username.isEmpty else { return nil }
        let pair = "\(username):\(environment["MLFLOW_TRACKING_PASSWORD"] ?? "")"
        return "Basic \(Data(pair.utf8).base64EncodedString())"
    }

    /// Calls `/api/2.0/mlflow/<endpoint>` with a JSON body (POST, PATCH, DELETE) or query (GET).
    @discardableResult
    public func call(_ method: String, _ endpoint: String, _ body: [String: JSONValue] = [:]) async throws(TrackingClientError) -> JSONValue {
        var url = URL(string: baseURL.absoluteString + "/api/2.0/mlflow/" + endpoint) ?? baseURL
        var request: URLRequest
        if method == "GET" {
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            components?.queryItems = body.sorted { $0.key < $1.key }.flatMap { key, value -> [URLQueryItem] in
                if case .array(let values) = value { return values.map { URLQueryItem(name: key, value: Self.queryText($0)) } }
                return [URLQueryItem(name: key, value: Self.queryText(value))]
            }
            url = components?.url ?? url
            request = URLRequest(url: url)
        } else {
            request = URLRequest(url: url)
            request.httpBody = Data(JSONValue.object(body).jsonText.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        request.httpMethod = method
        let data = try await send(request)
        if data.isEmpty { return .object([:]) }
        do {
            return try JSONParser.parse(Array(data))
        } catch {
            throw TrackingClientError(
                code: nil,
                status: nil,
                message: "the tracking server at \(baseURL.absoluteString) answered \(endpoint) with something that is not JSON"
            )
        }
    }

    /// Sends a request; the body of a 2xx answer, else the server's error as a ``TrackingClientError``.
    /// - Parameters:
    ///   - maximumSize: refuse an answer larger than this many bytes (without reading it all).
    ///   - what: what is fetched, for the error that says it is too large.
    func send(_ request: URLRequest, maximumSize: Int? = nil, what: String? = nil) async throws(TrackingClientError) -> Data {
        var request = request
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let answer: HTTPAnswer
        do {
            answer = try await http.send(request, maximumSize: maximumSize)
        } catch let error as HTTPClientError {
            if case .tooLarge(let limit) = error.reason {
                throw TrackingClientError(code: nil, status: nil, message: "\(what ?? error.url) is larger than \(limit) bytes")
            }
            throw TrackingClientError(
                code: nil,
                status: nil,
                message: "cannot reach the tracking server at \(baseURL.absoluteString): \(error.message)"
            )
        } catch {
            throw TrackingClientError(code: nil, status: nil, message: "the call to the tracking server at \(baseURL.absoluteString) was cancelled")
        }
        guard answer.isSuccess else {
            let path = request.url?.path ?? ""
            if case .object(let fields)? = try? JSONParser.parse(Array(answer.body)), case .string(let message)? = fields["message"] {
                let code: String? = if case .string(let code)? = fields["error_code"] { code } else { nil }
                throw TrackingClientError(
                    code: code,
                    status: answer.status,
                    message: "the tracking server answered \(answer.status) to \(path): \(message)"
                )
            }
            throw TrackingClientError(
                code: nil,
                status: answer.status,
                message: "the tracking server answered \(answer.status) to \(path): \(answer.excerpt())"
            )
        }
        return answer.body
    }

    private static func queryText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }
}
