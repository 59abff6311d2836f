import Foundation
import Testing

@testable import ObjectStorage

/// The signer against AWS's published Signature Version 4 test suite (requests as the suite writes
/// them, credentials `AKIDEXAMPLE`, region `us-east-1`, service `service`, 2015-08-30T12:36:00Z) and
/// the S3 documentation's example of a signed GET.
@Suite("AWS Signature Version 4")
struct SigV4SignerTests {
    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1",
        service: "service"
    )
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    /// (name, the `.req` file, the `.authz` file's signature and signed headers)
    static let cases: [(String, String, String, String)] = [
        (
            "get-vanilla-query-order-key", "GET /?Param1=value2&Param1=Value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
            "host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"
        ),
        (
            "get-unreserved",
            "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
            "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        ),
        (
            "get-utf8", "GET /\u{1234} HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z", "host;x-amz-date",
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        ),
        (
            "get-vanilla-utf8-query", "GET /?\u{1234}=bar HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z", "host;x-amz-date",
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        ),
        (
            "get-header-value-trim",
            "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z",
            "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        ),
        (
            "post-x-www-form-urlencoded",
            "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
            "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        ),
        (
            "post-sts-header-before",
            "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:\(token)",
            "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
        ),
    ]

    /// A `.req` file of the suite as a request to sign.
    static func request(_ text: String) throws -> SigV4Signer.Request {
        let (head, body) =
            text.components(separatedBy: "\n\n").count > 1
            ? (text.components(separatedBy: "\n\n")[0], text.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")) : (text, "")
        var lines = head.split(separator: "\n").map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ")
        let target = String(requestLine[1])
        let path = String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let queryText = target.contains("?") ? String(target.split(separator: "?", maxSplits: 1)[1]) : ""
        let query = queryText.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let headers = try lines.map { line -> (name: String, value: String) in
            let colon = try #require(line.firstIndex(of: ":"))
            return (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        return SigV4Signer.Request(
            method: String(requestLine[0]),
            path: path,
            query: query,
            headers: headers,
            payloadHash: SigV4Signer.payloadHash(Data(body.utf8))
        )
    }

    @Test("Each request of AWS's test suite is signed as the suite says", arguments: cases.map(\.0))
    func suite(name: String) throws {
        let (_, text, signedHeaders, signature) = try #require(Self.cases.first { $0.0 == name })
        let authorization = Self.suiteSigner.authorization(try Self.request(text), date: Self.suiteDate)
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
        )
    }

    @Test("The canonical request sorts the query by name then value, and encodes a path segment once")
    func canonicalRequest() throws {
        let (text, signed) = SigV4Signer.canonicalRequest(try Self.request(Self.cases[0].1))
        #expect(
            text
                == "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(signed == "host;x-amz-date")
        #expect(SigV4Signer.canonicalRequest(try Self.request(Self.cases[2].1)).text.hasPrefix("GET\n/%E1%88%B4\n"))
        #expect(SigV4Signer.encode("a b/c+d%") == "a%20b%2Fc%2Bd%25")
        #expect(SigV4Signer.amzDate(Self.suiteDate) == "20150830T123600Z")
    }

    @Test("S3's documented example: GET /test.txt with a range, signed for s3 in us-east-1")
    func s3Example() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1"
        )
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let request = SigV4Signer.Request(
            method: "GET",
            path: "/test.txt",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", empty),
                ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: empty
        )
        let authorization = signer.authorization(request, date: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test("S3's documented presigned URL: GET /test.txt for 86,400 s, query authentication")
    func presignedExample() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1"
        )
        let query = signer.presignedQuery(
            .init(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com")], payloadHash: "UNSIGNED-PAYLOAD"),
            date: Date(timeIntervalSince1970: 1_369_353_600),
            expires: .seconds(86400)
        )
        #expect(
            query.map(\.name) == ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"]
        )
        #expect(query.first { $0.name == "X-Amz-Credential" }?.value == "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
        #expect(query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }
}
