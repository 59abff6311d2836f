import Foundation
public import ObjectStorage
import Storage
public import Tracking

/// Where artifacts and run data are stored, and how an S3-compatible store is reached: the
/// variables MLflow users already set (boto3's and MLflow's own).
extension Settings {
    public static let artifactsDestination = Setting<String>(
        option: "--artifacts-destination",
        variables: ["FLOWLINE_ARTIFACTS_DESTINATION"],
        default: "",
        shown: "artifacts/ in the data directory",
        summary: "Where proxied artifacts are stored: a folder, or s3://bucket/prefix"
    )

    /// Whether the tracking server leaves artifacts to the clients: the flag, or the variable set.
    public static let noServeArtifacts = Setting<Bool>(
        option: "--no-serve-artifacts",
        variables: ["FLOWLINE_NO_SERVE_ARTIFACTS"],
        default: false,
        shown: "artifacts are proxied (mlflow-artifacts: URIs)",
        summary:
            "Do not proxy artifacts: runs get locations under --default-artifact-root, which clients read and write themselves; the variable does the same whatever its value",
        expected: "any text",
        read: { _ in true }
    )

    /// The artifact location of new experiments; empty: `mlflow-artifacts:` (proxied).
    public static let defaultArtifactRoot = Setting<String>(
        option: "--default-artifact-root",
        variables: ["FLOWLINE_DEFAULT_ARTIFACT_ROOT"],
        default: "",
        shown: "mlflow-artifacts: (proxied)",
        summary: "Where new experiments' artifacts go, in a folder per experiment: s3://bucket/prefix (with --no-serve-artifacts)",
        expected: "an s3://bucket/prefix URI",
        read: { text throws(SettingsError) in
            guard text.isEmpty || text.hasPrefix("mlflow-artifacts:") || text.hasPrefix("s3://") else { return nil }
            if text.hasPrefix("s3://") {
                do {
                    _ = try S3Location(text)
                } catch {
                    throw SettingsError((error as? S3LocationError)?.description ?? "\(error)")
                }
            }
            return text
        }
    )

    public static let awsAccessKeyID = Setting<String>(
        option: nil,
        variables: ["AWS_ACCESS_KEY_ID"],
        default: "",
        shown: "none",
        summary: "The access key of the S3-compatible store"
    )

    public static let awsSecretAccessKey = Setting<String>(
        option: nil,
        variables: ["AWS_SECRET_ACCESS_KEY"],
        default: "",
        shown: "none",
        summary: "The secret of the access key",
        isSecret: true
    )

    public static let awsSessionToken = Setting<String>(
        option: nil,
        variables: ["AWS_SESSION_TOKEN"],
        default: "",
        shown: "none",
        summary: "The session token of temporary credentials",
        isSecret: true
    )

    public static let awsRegion = Setting<String>(
        option: nil,
        variables: ["AWS_DEFAULT_REGION", "AWS_REGION"],
        default: "us-east-1",
        summary: "The store's region, which requests are signed for",
        expected: "a region name (letters, digits and hyphens)",
        read: { text in
            text.utf8.count <= 64 && text.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) ? text : nil
        }
    )

    public static let s3EndpointURL = Setting<String>(
        option: nil,
        variables: ["MLFLOW_S3_ENDPOINT_URL"],
        default: "",
        shown: "AWS S3",
        summary: "The URL of an S3-compatible store other than AWS (MinIO, SeaweedFS, Ceph), addressed path-style",
        expected: "an http(s)://host[:port] URL",
        read: { text in
            if text.isEmpty { return text }
            guard let url = URL(string: text), (try? S3Endpoint(url: url)) != nil else { return nil }
            return text
        }
    )

    public static let s3IgnoreTLS = Setting<Bool>(
        option: nil,
        variables: ["MLFLOW_S3_IGNORE_TLS"],
        default: false,
        summary: "Do not verify the store's TLS certificate",
        expected: "true or false",
        read: { text in
            switch text.lowercased() {
            case "true", "1", "yes": true
            case "false", "0", "no": false
            default: nil
            }
        }
    )

    /// How to reach the S3-compatible store, from ``awsAccessKeyID`` and its siblings.
    /// - Parameter purpose: what needs the store, for the error (`--artifacts-destination s3://…`).
    /// - Throws: ``SettingsError`` when the credentials are missing or the endpoint or region is invalid.
    public func objectStoreAccess(for purpose: String) throws -> ObjectStoreAccess {
        let key = try value(Settings.awsAccessKeyID)
        let secret = try value(Settings.awsSecretAccessKey)
        guard !key.isEmpty, !secret.isEmpty else {
            throw SettingsError(
                "\(purpose) needs credentials of the S3-compatible store: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and MLFLOW_S3_ENDPOINT_URL for a store other than AWS)"
            )
        }
        let token = try value(Settings.awsSessionToken)
        let endpointText = try value(Settings.s3EndpointURL)
        do {
            let endpoint = try S3Endpoint(
                url: endpointText.isEmpty ? nil : URL(string: endpointText),
                region: try value(Settings.awsRegion),
                verifiesTLS: !(try value(Settings.s3IgnoreTLS))
            )
            if !endpointText.isEmpty, endpoint.url == nil {
                throw SettingsError("MLFLOW_S3_ENDPOINT_URL is not a URL: '\(endpointText.prefix(200))'")
            }
            return ObjectStoreAccess(
                endpoint: endpoint,
                credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token.isEmpty ? nil : token)
            )
        } catch let error as S3LocationError {
            throw SettingsError("MLFLOW_S3_ENDPOINT_URL or AWS_DEFAULT_REGION: \(error.description)")
        }
    }

    /// The tracking server's artifact settings from their flags (`nil` where not given), the
    /// environment and defaults, checked: `s3://` URIs that parse, `--no-serve-artifacts` with an
    /// `s3://` root.
    /// - Throws: ``SettingsError`` saying what to fix.
    public func artifactStorage(
        _ tracking: inout TrackingConfiguration,
        destination: String?,
        noServeArtifacts: Bool,
        defaultRoot: String?
    ) throws {
        let destination = try value(Settings.artifactsDestination, flag: destination)
        if !destination.isEmpty { tracking.artifactsDestination = destination.hasPrefix("s3://") ? destination : DataDirectory.absolute(destination) }
        let noServe = try value(Settings.noServeArtifacts)
        tracking.serveArtifacts = !(noServeArtifacts || noServe)
        let root = try value(Settings.defaultArtifactRoot, flag: defaultRoot)
        tracking.defaultArtifactRoot = root.isEmpty ? nil : root
        for (flag, uri) in [("--artifacts-destination", tracking.artifactsDestination), ("--default-artifact-root", root)]
        where uri.hasPrefix("s3://") {
            do {
                _ = try S3Location(uri)
            } catch {
                throw SettingsError("\(flag): \(error.description)")
            }
        }
        if !root.isEmpty, !root.hasPrefix("s3://"), !root.hasPrefix("mlflow-artifacts:") {
            throw SettingsError("--default-artifact-root must be an s3://bucket/prefix URI (or mlflow-artifacts:), not '\(root.prefix(200))'")
        }
        if !tracking.serveArtifacts, !root.hasPrefix("s3://") {
            throw SettingsError(
                "--no-serve-artifacts needs --default-artifact-root s3://bucket/prefix: clients then store artifacts there themselves"
            )
        }
        if tracking.usesObjectStore {
            tracking.objectStore = try objectStoreAccess(
                for: tracking.serveArtifacts ? "--artifacts-destination \(tracking.artifactsDestination)" : "--default-artifact-root \(root)"
            )
        }
    }
}
