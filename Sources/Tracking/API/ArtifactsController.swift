import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import NIOCore

/// The proxied artifact service (`/api/2.0/mlflow-artifacts/…`): clients on any machine upload and
/// download artifacts over HTTP, and `artifacts/list` of the tracking API.
struct ArtifactsController {
    let artifacts: ArtifactStore
    let store: TrackingStore
    /// What deleting an artifact, or replacing one that exists, needs when configured
    /// (`--artifacts-delete-credential`); new files need nothing.
    let credential: BasicCredential?

    static let prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]

    func addRoutes<Context: RequestContext>(to router: Router<Context>, routes: inout MLflowRoutes<Context>) {
        let artifacts = artifacts
        let credential = credential
        for prefix in Self.prefixes {
            router.put(RouterPath(prefix + "/artifacts/**")) { request, context -> Response in
                let path = try Self.path(context)
                if let limit = artifacts.maximumSize, let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > limit {
                    throw SizeLimitedBody.tooLarge(path, size: length, limit: limit)
                }
                let mayReplace = credential?.matches(authorization: request.headers[.authorization]) ?? true
                do {
                    try await artifacts.write(request.body, to: path, replacing: mayReplace, context: context)
                } catch is ArtifactStore.FileExists {
                    throw Self.needsCredential("Replacing the existing artifact '\(path)'")
                }
                return .json("{}")
            }
            router.get(RouterPath(prefix + "/artifacts/**")) { _, context -> Response in
                let path = try Self.path(context)
                let body = try await artifacts.read(path, context: context)
                return Response(status: .ok, headers: Self.downloadHeaders(for: path), body: body)
            }
            router.delete(RouterPath(prefix + "/artifacts/**")) { request, context -> Response in
                guard credential?.matches(authorization: request.headers[.authorization]) ?? true else {
                    throw Self.needsCredential("Deleting artifacts")
                }
                try artifacts.delete(try Self.path(context))
                return .json("{}")
            }
            router.get(RouterPath(prefix + "/artifacts")) { request, _ -> Response in
                // The query string is form-encoded (`+` is a space), as the client's `requests` sends it.
                let path = try ArtifactPath(try await MLflowRequest.read(request).string("path") ?? "")
                let entries = try artifacts.list(path)
                var buffer = ByteBuffer()
                buffer.writeJSON(MLflowJSON.object(["files": .array(entries.map { Self.fileInfo(path: $0.name, $0) })]))
                return .json(buffer)
            }
            for operation in ["create", "complete", "abort"] {
                router.post(RouterPath(prefix + "/mpu/\(operation)/**")) { _, _ -> Response in
                    throw TrackingError(.notImplemented, "Multipart upload is not supported for the current artifact repository")
                }
            }
            router.rejectOtherMethods(on: RouterPath(prefix + "/artifacts/**"), allowing: [.get, .put, .delete])
            router.rejectOtherMethods(on: RouterPath(prefix + "/artifacts"), allowing: [.get])
        }
        let store = store
        routes.add(.get, "/artifacts/list") { request in
            let run = try await store.run(id: try request.runID())
            let relative = try ArtifactPath(try request.string("path") ?? "")
            let root = try ArtifactPath.proxied(run.info.artifactURI)
            let entries = try artifacts.list(root.appending(relative))
            return MLflowJSON.object([
                "root_uri": .string(run.info.artifactURI),
                "files": .array(
                    entries.map { entry in
                        Self.fileInfo(path: relative.isRoot ? entry.name : "\(relative)/\(entry.name)", entry)
                    }
                ),
            ])
        }
    }

    /// The 401 of an action that needs the configured credential.
    static func needsCredential(_ action: String) -> TrackingError {
        TrackingError(.unauthenticated, "\(action) needs the server's credentials: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")
    }

    static func fileInfo(path: String, _ entry: ArtifactStore.Entry) -> JSONValue {
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

    static func downloadHeaders(for path: ArtifactPath) -> HTTPFields {
        let name = path.name.replacingOccurrences(of: "\"", with: "")
        let type = MediaType.getMediaType(forExtension: (name as NSString).pathExtension).map(\.description) ?? "application/octet-stream"
        return [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""]
    }
}
