import Foundation
import XMLCoder

/// The XML documents of S3's API that Flowline reads and writes, decoded and encoded by XMLCoder.
enum S3XML {
    /// `<Error>`: what a store says when it refuses a request.
    struct ErrorBody: Decodable {
        var Code: String?
        var Message: String?
    }

    /// `<ListBucketResult>` of ListObjectsV2.
    struct ListBucketResult: Decodable {
        struct Object: Decodable {
            var Key: String
            var Size: Int64?
            var ETag: String?
            var LastModified: String?
        }

        struct CommonPrefix: Decodable {
            var Prefix: String
        }

        var IsTruncated: Bool?
        var NextContinuationToken: String?
        var Contents: [Object]?
        var CommonPrefixes: [CommonPrefix]?
    }

    /// `<InitiateMultipartUploadResult>`.
    struct InitiateMultipartUploadResult: Decodable {
        var UploadId: String
    }

    /// `<CompleteMultipartUpload>`: the parts to join, in order.
    struct CompleteMultipartUpload: Encodable {
        struct Part: Encodable {
            var PartNumber: Int
            var ETag: String
        }

        var Part: [Part]
    }

    /// `<Delete>` of DeleteObjects.
    struct Delete: Encodable {
        struct Object: Encodable {
            var Key: String
        }

        var Quiet: Bool
        var Object: [Object]
    }

    /// `<DeleteResult>`: with `Quiet`, only the keys that could not be deleted.
    struct DeleteResult: Decodable {
        struct Failure: Decodable {
            var Key: String?
            var Code: String?
            var Message: String?
        }

        var Error: [Failure]?
    }

    static func decode<Document: Decodable>(_ type: Document.Type, from data: Data) throws -> Document {
        let decoder = XMLDecoder()
        decoder.shouldProcessNamespaces = true
        decoder.trimValueWhitespaces = false
        return try decoder.decode(type, from: data)
    }

    static func encode(_ document: some Encodable, root: String) throws -> Data {
        let header = XMLHeader(version: 1.0, encoding: "UTF-8")
        return try XMLEncoder().encode(
            document,
            withRootKey: root,
            rootAttributes: ["xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"],
            header: header
        )
    }

    /// The name of the document's root element (a 200 answer to CompleteMultipartUpload may still
    /// be an `<Error>`).
    static func rootElement(of data: Data) -> String? {
        guard let text = String(data: data.prefix(512), encoding: .utf8) else { return nil }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            guard let first = rest.first, first != "?", first != "!" else { continue }
            return String(rest.prefix { !" >/\n\r\t".contains($0) })
        }
        return nil
    }
}
