import Testing
import Tracking

@Suite("Artifact paths")
struct ArtifactPathTests {
    @Test(
        "Paths that could escape the artifact root are rejected",
        arguments: [
            "../x", "a/../../x", "/etc/passwd", "a/./b", "..", ".", "a\\b", "~/x", "a\u{0}b",
        ]
    )
    func rejected(path: String) {
        #expect(throws: TrackingError.self) { try ArtifactPath(path) }
    }

    @Test(
        "Ordinary paths are kept, empty segments dropped",
        arguments: [
            ("model/MLmodel", ["model", "MLmodel"]), ("a//b/", ["a", "b"]), ("", []), ("file name.txt", ["file name.txt"]),
        ]
    )
    func accepted(path: String, segments: [String]) throws {
        #expect(try ArtifactPath(path).segments == segments)
    }

    @Test("mlflow-artifacts URIs name paths under the root")
    func proxiedURIs() throws {
        #expect(try ArtifactPath.proxied("mlflow-artifacts:/1/abc/artifacts").description == "1/abc/artifacts")
        #expect(try ArtifactPath.proxied("mlflow-artifacts://host:5000/1/abc/artifacts").description == "1/abc/artifacts")
        #expect(throws: TrackingError.self) { try ArtifactPath.proxied("s3://bucket/x") }
        #expect(throws: TrackingError.self) { try ArtifactPath.proxied("mlflow-artifacts:/../etc") }
    }
}
