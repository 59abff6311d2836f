import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import NIOCore

/// The proxied artifact service (`/api/2.0/mlflow-artifacts/…`: clients on any machine upload and
/// download artifacts over HTTP, and, when the destination is a bucket, upload large files in
/// parts straight to it), the tracking API's `artifacts/list`, and `/get-artifact` (a run's file,
/// wherever its artifacts are).
struct ArtifactsController {
    let locations: ArtifactLocations
    let store: TrackingStore
    /// Why a request (its headers) may not delete artifacts or replace one that exists, or `nil`
    /// when it may: an admin may with logins on (an op adds files; the files behind registered
    /// versions are not theirs to destroy), else whoever has the `--artifacts-delete-credential`
    /// when one is configured, else anyone.
    let destroyRefusal: @Sendable (_ action: String, HTTPFields) async throws -> TrackingError?

    /// ``destroyRefusal`` of a server: its logins, else its delete credential.
    static func destroyRule(
        authenticator: (any TrackingAuthenticator)?,
        credential: BasicCredential?
    ) -> @Sendable (_ action: String, HTTPFields) async throws -> TrackingError? {
        if let authenticator {
            return { action, headers in
                let identity = try await headers[.authorization].asyncFlatMap { try await authenticator.identify(authorization: $0) }
                guard let identity, identity.access >= .manage else {
                    return TrackingError(.permissionDenied, "Permission denied: \(action) needs an admin")
                }
                return nil
            }
        }
        return { action, headers in
            guard let credential, !credential.matches(authorization: headers[.authorization]) else { return nil }
            return TrackingError(
                .unauthenticated,
                "\(action) needs the server's credentials: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            )
        }
    }

    static let prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]

    func addRoutes<Context: RequestContext>(to router: Router<Context>, routes: inout MLflowRoutes<Context>) {
        let locations = locations
        let destroyRefusal = destroyRefusal
        for prefix in Self.prefixes {
            /// The proxied repository, or MLflow's 503 when the server does not serve artifacts.
            @Sendable func proxied(_ endpoint: String) throws(TrackingError) -> any ArtifactRepository {
                guard let repository = locations.proxied else {
                    throw TrackingError(
                        .temporarilyUnavailable,
                        "Endpoint: \(prefix + endpoint) disabled due to the server running with --no-serve-artifacts. To enable the artifacts service, run it without --no-serve-artifacts."
                    )
                }
                return repository
            }
            router.put(RouterPath(prefix + "/artifacts/**")) { request, context -> Response in
                let artifacts = try proxied("/artifacts")
                let path = try Self.path(context)
                let length = request.headers[.contentLength].flatMap { Int64($0) }
                if let limit = artifacts.maximumSize, let length, length > limit {
                    throw SizeLimitedBody.tooLarge(path, size: length, limit: limit)
                }
                let replacing = "Replacing the existing artifact '\(path)'"
                let refusal = try await destroyRefusal(replacing, request.headers)
                do {
                    try await artifacts.write(request.body, length: length, to: path, replacing: refusal == nil, context: context)
                } catch is ArtifactExists {
                    throw refusal ?? TrackingError(.internalError, "\(replacing) failed")
                }
                return .json("{}")
            }
            router.get(RouterPath(prefix + "/artifacts/**")) { _, context -> Response in
                let path = try Self.path(context)
                let body = try await proxied("/artifacts").read(path, context: context)
                return Response(status: .ok, headers: Self.downloadHeaders(for: path), body: body)
            }
            router.delete(RouterPath(prefix + "/artifacts/**")) { request, context -> Response in
                let artifacts = try proxied("/artifacts")
                if let refusal = try await destroyRefusal("Deleting artifacts", request.headers) { throw refusal }
                try await artifacts.delete(try Self.path(context))
                return .json("{}")
            }
            router.get(RouterPath(prefix + "/artifacts")) { request, _ -> Response in
                let artifacts = try proxied("/artifacts")
                // The query string is form-encoded (`+` is a space), as the client's `requests` sends it.
                let path = try ArtifactPath(try await MLflowRequest.read(request).string("path") ?? "")
                let entries = try await artifacts.list(path)
                var buffer = ByteBuffer()
                buffer.writeJSON(MLflowJSON.object(["files": .array(entries.map { Self.fileInfo(path: $0.name, $0) })]))
                return .json(buffer)
            }
            // Multipart uploads: the URL names the folder, `path` the client's file (its name is used).
            router.post(RouterPath(prefix + "/mpu/create/**")) { request, context -> Response in
                let artifacts = try proxied("/mpu/create")
                let fields = try await MLflowRequest.read(request)
                let path = try Self.multipartPath(context, fields)
                let parts = try fields.int64("num_parts") ?? 1
                guard parts >= 1, parts <= Int64(Int32.max) else { throw TrackingError.invalid("num_parts must be a positive number") }
                let replacing = "Replacing the existing artifact '\(path)'"
                let refusal = try await destroyRefusal(replacing, request.headers)
                let upload: MultipartUpload
                do {
                    upload = try await artifacts.createMultipartUpload(path, parts: Int(parts), replacing: refusal == nil)
                } catch is ArtifactExists {
                    throw refusal ?? TrackingError(.internalError, "\(replacing) failed")
                }
                var buffer = ByteBuffer()
                buffer.writeJSON(
                    MLflowJSON.object([
                        "upload_id": .string(upload.uploadID),
                        "credentials": .array(
                            upload.partURLs.enumerated().map { index, url in
                                MLflowJSON.object([
                                    "url": .string(url.absoluteString), "part_number": .integer(Int64(index + 1)), "headers": .object([:]),
                                ])
                            }
                        ),
                    ])
                )
                return .json(buffer)
            }
            router.post(RouterPath(prefix + "/mpu/complete/**")) { request, context -> Response in
                let artifacts = try proxied("/mpu/complete")
                let fields = try await MLflowRequest.read(request)
                let path = try Self.multipartPath(context, fields)
                let parts = try fields.messages("parts").map { part throws(TrackingError) in
                    guard let number = try part.int64("part_number"), (1...Int64(Int32.max)).contains(number) else {
                        throw TrackingError.invalid("Each part needs a part_number from 1")
                    }
                    return MultipartUpload.Part(number: Int(number), etag: try part.string("etag") ?? "")
                }
                try await artifacts.completeMultipartUpload(path, uploadID: try fields.requiredString("upload_id"), parts: parts)
                return .json("{}")
            }
            router.post(RouterPath(prefix + "/mpu/abort/**")) { request, context -> Response in
                let artifacts = try proxied("/mpu/abort")
                let fields = try await MLflowRequest.read(request)
                try await artifacts.abortMultipartUpload(try Self.multipartPath(context, fields), uploadID: try fields.requiredString("upload_id"))
                return .json("{}")
            }
            router.rejectOtherMethods(on: RouterPath(prefix + "/artifacts/**"), allowing: [.get, .put, .delete])
            router.rejectOtherMethods(on: RouterPath(prefix + "/artifacts"), allowing: [.get])
        }
        let store = store
        routes.add(.get, "/artifacts/list") { request in
            let run = try await store.run(id: try request.runID())
            let relative = try ArtifactPath(try request.string("path") ?? "")
            let (repository, root) = try locations.locate(run.info.artifactURI)
            let entries = try await repository.list(root.appending(relative))
            return MLflowJSON.object([
                "root_uri": .string(run.info.artifactURI),
                "files": .array(
                    entries.map { entry in
                        Self.fileInfo(path: relative.isRoot ? entry.name : "\(relative)/\(entry.name)", entry)
                    }
                ),
            ])
        }
        // MLflow's UI download of a run's file, proxied or not.
        router.get("/get-artifact") { request, context -> Response in
            let fields = try await MLflowRequest.read(request)
            let run = try await store.run(id: try fields.runID())
            let relative = try ArtifactPath(try fields.requiredString("path"))
            let (repository, root) = try locations.locate(run.info.artifactURI)
            let body = try await repository.read(root.appending(relative), context: context)
            return Response(status: .ok, headers: Self.downloadHeaders(for: relative), body: body)
        }
    }

    static func fileInfo(path: String, _ entry: ArtifactEntry) -> JSONValue {
        MLflowJSON.object([
            "path": .string(path),
            "is_dir": .bool(entry.isDirectory),
            "file_size": entry.size.map { .integer($0) },
        ])
    }

    /// The artifact path of a `…/artifacts/**` route, percent-decoded and checked.
    static func path(_ context: some RequestContext) throws(TrackingError) -> ArtifactPath {
        let segments = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? String($0) }
        return try ArtifactPath(segments.joined(separator: "/"))
    }

    /// The artifact of a multipart upload: the folder of the `…/mpu/<operation>/**` route and the
    /// file name of the request's `path` (the client's local file, as MLflow's client sends it).
    static func multipartPath(_ context: some RequestContext, _ fields: MLflowRequest) throws(TrackingError) -> ArtifactPath {
        let file = try fields.requiredString("path")
        let name = file.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        guard !name.isEmpty, name != ".", name != ".." else { throw TrackingError.invalid("Invalid path: '\(file)' names no file") }
        return try path(context).appending(try ArtifactPath(name))
    }

    static func downloadHeaders(for path: ArtifactPath) -> HTTPFields {
        let name = path.name.replacingOccurrences(of: "\"", with: "")
        let type = MediaType.getMediaType(forExtension: (name as NSString).pathExtension).map(\.description) ?? "application/octet-stream"
        return [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""]
    }
}

extension Optional {
    /// The value `transform` gives for the wrapped one, awaited; `nil` for `nil`.
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
