import Testing

@testable import ObjectStorage

@Suite("s3:// locations")
struct S3LocationTests {
    @Test("A bucket and its prefix; keys below it")
    func parses() throws {
        let location = try S3Location("s3://ml-artifacts/team/one/")
        #expect(location.bucket == "ml-artifacts" && location.prefix == "team/one")
        #expect(location.description == "s3://ml-artifacts/team/one")
        #expect(try location.key("1/abc/artifacts/model/MLmodel") == "team/one/1/abc/artifacts/model/MLmodel")
        let top = try S3Location("s3://bucket")
        #expect(top.prefix == "" && top.description == "s3://bucket")
        #expect(try top.key("/a//b") == "a/b")
    }

    @Test(
        "Bad URIs and paths are refused, saying why",
        arguments: [
            ("http://bucket/x", "not an s3:// URI"), ("s3://", "not a bucket name"), ("s3://ab", "not a bucket name"),
            ("s3://Upper", "not a bucket name"), ("s3://-dash", "not a bucket name"), ("s3://a..b", "not a bucket name"),
            ("s3://under_score", "not a bucket name"), ("s3://bucket/../x", "'.' or '..' part"), ("s3://bucket/a/./b", "'.' or '..' part"),
            ("s3://bucket/a\u{0}b", "control characters"),
        ]
    )
    func refuses(uri: String, message: String) {
        #expect {
            try S3Location(uri)
        } throws: { error in
            (error as? S3LocationError)?.description.contains(message) == true
        }
    }

    @Test("Keys that climb, are empty or too long are refused")
    func badKeys() throws {
        let location = try S3Location("s3://bucket/p")
        for (path, message) in [("", "needs a name"), ("a/../../b", "'.' or '..' part"), (String(repeating: "k", count: 1100), "at most 1024 bytes")]
        {
            #expect {
                try location.key(path)
            } throws: { error in
                (error as? S3LocationError)?.description.contains(message) == true
            }
        }
    }
}
