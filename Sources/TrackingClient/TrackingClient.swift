public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif
public import JSON

/// A client of the MLflow REST API (Flowline's tracking server or MLflow's own): what the project
/// operator, `flowline fit`, the model commands and serving need.
public struct TrackingClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL
    private let session: URLSession

    public init(baseURL: URL, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.session = session
    }

    /// A client for a tracking URI as `MLFLOW_TRACKING_URI` gives it.
    public init(trackingURI: String) throws(TrackingClientError) {
        let trimmed = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
        guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw TrackingClientError(code: nil, status: nil, message: "the tracking URI '\(trackingURI)' is not an http(s) URL of a tracking server")
        }
        self.init(baseURL: url)
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
            throw TrackingClientError(code: nil, status: nil, message: "the tracking server at \(baseURL.absoluteString) answered \(endpoint) with something that is not JSON")
        }
    }

    /// Sends a request; the body of a 2xx answer, else the server's error as a ``TrackingClientError``.
    /// - Parameter fetch: how to get the answer (by default, the client's session); a
    ///   ``TrackingClientError`` it throws passes as it is, any other error means the server
    ///   cannot be reached.
    func send(
        _ request: URLRequest, fetch: ((URLRequest, URLSessionConfiguration) async throws -> (Data, URLResponse))? = nil
    ) async throws(TrackingClientError) -> Data {
        var request = request
        request.timeoutInterval = 60
        let data: Data
        let response: URLResponse
        do {
            if let fetch {
                (data, response) = try await fetch(request, session.configuration)
            } else {
                (data, response) = try await session.data(for: request)
            }
        } catch let error as TrackingClientError {
            throw error
        } catch {
            throw TrackingClientError(code: nil, status: nil, message: "cannot reach the tracking server at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let path = request.url?.path ?? ""
            if case .object(let fields)? = try? JSONParser.parse(Array(data)), case .string(let message)? = fields["message"] {
                let code: String? = if case .string(let code)? = fields["error_code"] { code } else { nil }
                throw TrackingClientError(code: code, status: status, message: "the tracking server answered \(status) to \(path): \(message)")
            }
            throw TrackingClientError(code: nil, status: status, message: "the tracking server answered \(status) to \(path): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }

    private static func queryText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }
}
