import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// A client of one S3-compatible store (AWS, MinIO, SeaweedFS, Ceph, moto): signed requests
/// (``SigV4Signer``) over AsyncHTTPClient's pooled connections, retried with backoff when the store
/// is unreachable, throttles or answers 5xx, and errors in words (``S3Error``).
///
/// Object bodies always travel as streams of chunks, so that no object sits whole in memory:
/// uploads are sent in parts of ``partSize`` (a multipart upload past the first part, a few parts
/// in flight), downloads are handed over as they arrive. Call ``shutdown()`` once done.
public final class S3Client: Sendable {
    public let endpoint: S3Endpoint
    let signer: SigV4Signer
    let http: HTTPClient
    let retries: RetryPolicy

    /// How many times, and how patiently, a failed request is tried again.
    public struct RetryPolicy: Sendable {
        /// Tries in all, the first included.
        public var attempts: Int
        /// The first wait; each next one doubles, up to `maximumDelay`, with full jitter.
        public var baseDelay: Duration
        public var maximumDelay: Duration

        public init(attempts: Int = 5, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5)) {
            self.attempts = max(attempts, 1)
            self.baseDelay = baseDelay
            self.maximumDelay = maximumDelay
        }

        /// The wait before try `attempt` (1 for the first retry).
        func delay(before attempt: Int) -> Duration {
            let ceiling = min(baseDelay * (1 << min(attempt - 1, 16)), maximumDelay)
            let milliseconds = Int(ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000)
            return .milliseconds(Int.random(in: max(milliseconds / 2, 1)...max(milliseconds, 1)))
        }
    }

    /// The size of an upload's parts: 8 MiB, as boto3's; larger when a known size needs more than
    /// 10,000 parts.
    public static let partSize = 8 << 20
    /// Parts of one upload in flight at once.
    static let partsInFlight = 4
    /// S3's most parts in one multipart upload.
    public static let maximumParts = 10_000
    /// The most bytes of an error or listing answer read.
    static let maximumDocument = 16 << 20

    /// - Parameters:
    ///   - connectTimeout: how long a connection may take before the try fails.
    ///   - readTimeout: how long the store may stay silent mid-answer.
    public init(
        endpoint: S3Endpoint,
        credentials: AWSCredentials,
        retries: RetryPolicy = RetryPolicy(),
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(60)
    ) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(credentials: credentials, region: endpoint.region)
        self.retries = retries
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds), read: .nanoseconds(readTimeout.nanoseconds))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        // The client's own retries (with backoff, and a message) replace the pool's silent ones.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        if !endpoint.verifiesTLS {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; no call may follow.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// One request to the store.
    struct Call: Sendable {
        var method: HTTPMethod
        var bucket: String
        var key: String?
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        /// The body, sent again on each retry.
        var body: ByteBuffer?
        /// Sign the body's hash (small documents); object data is sent `UNSIGNED-PAYLOAD`.
        var signsBody = true
        /// Answers other than 2xx that are the caller's to handle (404 to a `HEAD`).
        var accepted: Set<UInt> = []
        /// How long the whole try may take; `nil` for downloads, which the read timeout bounds.
        var timeout: Duration? = .seconds(300)
        /// Tries in all, when not the client's policy's.
        var attempts: Int?

        var what: String { "\(method.rawValue) s3://\(bucket)\(key.map { "/" + $0 } ?? "")" }
    }

    /// Sends `call`, trying again while the store is unreachable, throttles or answers 5xx.
    /// - Returns: the answer, whose body the caller must consume (or drop).
    /// - Throws: ``S3Error`` saying what the store answered, or that it could not be reached.
    func send(_ call: Call) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            var failure: S3Error
            do {
                let response = try await http.execute(
                    try request(for: call),
                    deadline: call.timeout.map { .now() + .nanoseconds($0.nanoseconds) } ?? .distantFuture
                )
                if (200..<300).contains(response.status.code) || call.accepted.contains(response.status.code) { return response }
                failure = try await Self.refusal(response, of: call)
                guard S3Error.isRetryable(code: failure.code, status: Int(response.status.code)) else { throw failure }
            } catch let error as S3Error {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .cancelled {
                throw CancellationError()
            } catch {
                failure = S3Error(.unreachable, "\(call.what): cannot reach the store at \(location): \(Self.words(error))")
            }
            guard attempt < call.attempts ?? retries.attempts else {
                failure.message += " (tried \(attempt) times)"
                throw failure
            }
            try await Task.sleep(for: retries.delay(before: attempt))
        }
    }

    /// Where the store is, for messages.
    var location: String { endpoint.url?.absoluteString ?? "AWS S3 (\(endpoint.region))" }

    /// The signed request of `call`.
    func request(for call: Call) throws -> HTTPClientRequest {
        let target = try endpoint.target(bucket: call.bucket, key: call.key, query: call.query)
        let date = Date()
        let payloadHash: String =
            if let body = call.body, !call.signsBody, body.readableBytes > 0 {
                "UNSIGNED-PAYLOAD"
            } else {
                SigV4Signer.payloadHash(call.body.map { Data($0.readableBytesView) } ?? Data())
            }
        var headers = call.headers + [("Host", target.host), ("X-Amz-Date", SigV4Signer.amzDate(date)), ("X-Amz-Content-SHA256", payloadHash)]
        if let token = signer.credentials.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        let authorization = signer.authorization(
            .init(method: call.method.rawValue, path: target.path, query: call.query, headers: headers, payloadHash: payloadHash),
            date: date
        )
        var request = HTTPClientRequest(url: target.url.absoluteString)
        request.method = call.method
        for (name, value) in headers where name != "Host" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Authorization", value: authorization)
        if let body = call.body {
            request.body = .bytes(body)
        } else if [.PUT, .POST].contains(call.method) {
            request.body = .bytes(ByteBuffer())
        }
        return request
    }

    /// The ``S3Error`` of a refused `call`, from the store's `<Error>` document.
    static func refusal(_ response: HTTPClientResponse, of call: Call) async throws -> S3Error {
        let body = (try? await response.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        let document = try? S3XML.decode(S3XML.ErrorBody.self, from: Data(body.readableBytesView))
        let status = Int(response.status.code)
        let code = document?.Code
        let kind = S3Error.kind(code: code, status: status)
        let said = [code, document?.Message].compactMap { $0 }.joined(separator: ": ")
        let detail = said.isEmpty ? "HTTP \(status)" : "\(said) (HTTP \(status))"
        let advice =
            switch kind {
            case .noSuchBucket: " — create the bucket s3://\(call.bucket), or name one that exists"
            case .credentialsRefused: " — check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and the key's permissions"
            default: ""
            }
        return S3Error(kind, status: status, code: code, "\(call.what): the store answered \(detail)\(advice)")
    }

    /// An error of the HTTP client in words.
    static func words(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .readTimeout: return "the store stopped answering"
            case .deadlineExceeded: return "the request took too long"
            case .remoteConnectionClosed: return "the store closed the connection"
            default: return String(describing: error)
            }
        }
        return String(describing: error)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
