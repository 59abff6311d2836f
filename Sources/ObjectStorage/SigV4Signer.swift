import Crypto
public import Foundation
import RunStorage

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for one region and service, as S3-compatible
/// stores check it: the canonical request (method, path, query, headers, payload hash), the
/// string to sign, the key derived for the day, region and service, and the `Authorization`
/// header. Tested against AWS's published test suite.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign. `path` is as its resource names it (not percent-encoded: each segment is
    /// encoded once, as S3 wants), `query` as name-value pairs (not encoded either).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        /// Every header to sign, `Host` included; names in any case.
        public var headers: [(name: String, value: String)]
        /// Lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(
            method: String,
            path: String,
            query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)],
            payloadHash: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The `Authorization` header's value for `request`, sent at `date` (whose `X-Amz-Date`,
    /// ``amzDate(_:)``, must be among the signed headers).
    public func authorization(_ request: Request, date: Date) -> String {
        let (canonical, signedHeaders) = Self.canonicalRequest(request)
        return
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(signature(canonical, date: date))"
    }

    /// The query of a presigned URL for `request` (whose headers hold only `Host`): `request`'s own
    /// query followed by the `X-Amz-*` parameters and the signature. Whoever has the URL may send
    /// that one request, with any body, until `expires` has passed since `date`.
    public func presignedQuery(_ request: Request, date: Date, expires: Duration) -> [(name: String, value: String)] {
        var request = request
        request.payloadHash = "UNSIGNED-PAYLOAD"
        request.query += [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(date))"),
            ("X-Amz-Date", Self.amzDate(date)),
            ("X-Amz-Expires", String(expires.components.seconds)),
        ]
        if let token = credentials.sessionToken { request.query.append(("X-Amz-Security-Token", token)) }
        let signedHeaders = Self.canonicalRequest(request).signedHeaders
        request.query.append(("X-Amz-SignedHeaders", signedHeaders))
        let signature = signature(Self.canonicalRequest(request).text, date: date)
        return request.query + [("X-Amz-Signature", signature)]
    }

    /// The credential scope of `date`: `20150830/us-east-1/s3/aws4_request`.
    func scope(_ date: Date) -> String {
        "\(Self.amzDate(date).prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// The hex signature of the canonical request `canonical` sent at `date`.
    func signature(_ canonical: String, date: Date) -> String {
        let day = String(Self.amzDate(date).prefix(8))
        let stringToSign = ["AWS4-HMAC-SHA256", Self.amzDate(date), scope(date), Self.hex(SHA256.hash(data: Data(canonical.utf8)))].joined(
            separator: "\n"
        )
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// The canonical request of `request`, and its signed header names (`host;x-amz-date`).
    static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let path = request.path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
        let pairs: [(name: String, value: String)] = request.query.map { (encode($0.name), encode($0.value)) }
        let sorted = pairs.sorted { first, second in first.name == second.name ? first.value < second.value : first.name < second.name }
        let query = sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        // Names lowercased; values trimmed with inner runs of spaces made one; repeated names
        // joined with commas in their order; sorted by name.
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
            headers[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0, default: []].joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let text = [request.method, path.isEmpty ? "/" : path, query, canonicalHeaders, signed, request.payloadHash].joined(separator: "\n")
        return (text, signed)
    }

    /// `text` percent-encoded as SigV4 wants: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`.
    static func encode(_ text: String) -> String {
        PercentEncoding.encode(text)
    }

    /// `date` as `X-Amz-Date` has it: `20150830T123600Z` (UTC).
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day) + "T" + two(parts.hour) + two(parts.minute)
            + two(parts.second) + "Z"
    }

    /// Lowercase hex SHA-256 of `data`, a payload hash.
    public static func payloadHash(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
