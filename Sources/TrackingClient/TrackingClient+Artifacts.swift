public import Foundation
import NIOCore
import ObjectStorage

#if canImport(FoundationNetworking)
import FoundationNetworking
import JSON
#endif

extension TrackingClient {
    /// Uploads `data` as `path` under `artifactURI` (an `mlflow-artifacts:` location, e.g. a run's
    /// artifact root) through the server's artifact proxy.
    public func upload(_ data: Data, to path: String, under artifactURI: String) async throws(TrackingClientError) {
        if artifactURI.hasPrefix("s3://") {
            let (client, bucket, key) = try objectKey(artifactURI, path)
            do {
                try await client.putObject(bucket: bucket, key: key, body: ByteBuffer(bytes: data))
            } catch {
                throw TrackingClientError(code: nil, status: nil, message: "cannot upload \(path) under \(artifactURI): \(error)")
            }
            return
        }
        var request = URLRequest(url: try proxyURL(artifactURI, path))
        request.httpMethod = "PUT"
        request.httpBody = data
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        _ = try await send(request)
    }

    /// Downloads `path` under `artifactURI`.
    /// - Parameter maximumSize: refuse a file larger than this many bytes (without reading it all).
    public func download(_ path: String, under artifactURI: String, maximumSize: Int? = nil) async throws(TrackingClientError) -> Data {
        if artifactURI.hasPrefix("s3://") {
            let (client, bucket, key) = try objectKey(artifactURI, path)
            do {
                let download = try await client.getObject(bucket: bucket, key: key)
                var data = Data()
                for try await chunk in download.body {
                    data.append(contentsOf: chunk.readableBytesView)
                    if let maximumSize, data.count > maximumSize {
                        throw TrackingClientError(code: nil, status: nil, message: "\(path) under \(artifactURI) is larger than \(maximumSize) bytes")
                    }
                }
                return data
            } catch let error as TrackingClientError {
                throw error
            } catch let error as S3Error where error.kind == .notFound {
                throw TrackingClientError(code: "RESOURCE_DOES_NOT_EXIST", status: 404, message: "\(path) under \(artifactURI) does not exist")
            } catch {
                throw TrackingClientError(code: nil, status: nil, message: "cannot download \(path) under \(artifactURI): \(error)")
            }
        }
        let request = URLRequest(url: try proxyURL(artifactURI, path))
        return try await send(request, maximumSize: maximumSize, what: "\(path) under \(artifactURI)")
    }

    /// The names of the files and folders directly under `path` of a run's artifacts.
    public func listArtifacts(runID: String, path: String) async throws(TrackingClientError) -> [String] {
        let response = try await call("GET", "artifacts/list", ["run_id": .string(runID), "path": .string(path)])
        return response["files"]?.array.compactMap { $0["path"]?.string } ?? []
    }

    /// The client, bucket and key of `path` under an `s3://` location.
    func objectKey(_ artifactURI: String, _ path: String) throws(TrackingClientError) -> (S3Client, String, String) {
        guard let objectStore else {
            throw TrackingClientError(
                code: nil,
                status: nil,
                message:
                    "the artifacts at '\(artifactURI)' are in S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and MLFLOW_S3_ENDPOINT_URL for a store other than AWS)"
            )
        }
        do {
            let location = try S3Location(artifactURI)
            return (objectStore, location.bucket, try location.key(path))
        } catch {
            throw TrackingClientError(code: nil, status: nil, message: "'\(path)' under '\(artifactURI)': \(error.description)")
        }
    }

    /// The proxy URL of `path` under an `mlflow-artifacts:` location.
    func proxyURL(_ artifactURI: String, _ path: String) throws(TrackingClientError) -> URL {
        guard artifactURI.hasPrefix("mlflow-artifacts:") else {
            throw TrackingClientError(
                code: nil,
                status: nil,
                message: "the artifact location '\(artifactURI)' is not served through the tracking server (it is not an mlflow-artifacts: URI)"
            )
        }
        var rest = artifactURI.dropFirst("mlflow-artifacts:".count)
        if rest.hasPrefix("//") {
            // mlflow-artifacts://host:port/path: the authority is the server we talk to anyway.
            rest = rest.dropFirst(2).drop { $0 != "/" }
        }
        let root = rest.split(separator: "/").joined(separator: "/")
        let full = [root, path].filter { !$0.isEmpty }.joined(separator: "/")
        let encoded = full.split(separator: "/").map { String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
            .joined(separator: "/")
        guard let url = URL(string: baseURL.absoluteString + "/api/2.0/mlflow-artifacts/artifacts/" + encoded) else {
            throw TrackingClientError(code: nil, status: nil, message: "cannot make an artifact URL for '\(full)'")
        }
        return url
    }
}
