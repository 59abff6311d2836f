import Foundation
import Testing

@testable import ObjectStorage

@Suite("S3 endpoints")
struct S3EndpointTests {
    @Test("AWS is virtual-hosted; another endpoint is path-style; the URL's path is the one signed")
    func targets() throws {
        let aws = try S3Endpoint(region: "eu-west-1")
        let object = try aws.target(bucket: "ml", key: "runs/a b/model+1.json")
        #expect(object.host == "ml.s3.eu-west-1.amazonaws.com")
        #expect(object.url.absoluteString == "https://ml.s3.eu-west-1.amazonaws.com/runs/a%20b/model%2B1.json")
        #expect(object.path == "/runs/a b/model+1.json")

        let local = try S3Endpoint(url: URL(string: "http://127.0.0.1:8333"))
        let listing = try local.target(bucket: "ml", key: nil, query: [("list-type", "2"), ("prefix", "runs/\u{1234}/")])
        #expect(listing.host == "127.0.0.1:8333")
        #expect(listing.url.absoluteString == "http://127.0.0.1:8333/ml?list-type=2&prefix=runs%2F%E1%88%B4%2F")
        #expect(listing.path == "/ml")
        // What the store recomputes from the request line is what the signer signed.
        let signed = SigV4Signer.canonicalRequest(
            .init(method: "GET", path: object.path, headers: [("Host", object.host)], payloadHash: "UNSIGNED-PAYLOAD")
        )
        #expect(signed.text.split(separator: "\n", omittingEmptySubsequences: false)[1] == object.url.path(percentEncoded: true))
    }

    @Test("Bad endpoints and regions are refused, saying why")
    func refuses() {
        for (url, region, message) in [
            ("ftp://store", "us-east-1", "not an http(s)://host[:port] URL"), ("http://store?x=1", "us-east-1", "not an http(s)"),
            ("http://store", "", "not a region name"), ("http://store", "us east", "not a region name"),
        ] {
            #expect {
                try S3Endpoint(url: URL(string: url), region: region)
            } throws: { error in
                (error as? S3LocationError)?.description.contains(message) == true
            }
        }
    }
}
