import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// The request checks of ``ServerPolicy``: a `Host` header the server answers to, and no writes
/// (POST, PUT, PATCH, DELETE) from another site's pages — a browser says where a request comes
/// from in `Origin` and `Sec-Fetch-Site`; clients that are not browsers send neither.
///
/// Refusals are `HTTPError`s with 403, so each API's error middleware renders them in its shape.
public struct RequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedHosts: HostPatterns
    let trustedOrigins: Set<String>

    public init(allowedHosts: HostPatterns, trustedOrigins: Set<String>) {
        self.allowedHosts = allowedHosts
        self.trustedOrigins = trustedOrigins
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority ?? ""
        guard allowedHosts.allows(host) else {
            // The allowed names are the operator's to know, not the client's.
            context.logger.notice(
                "Refused the Host header '\(host.prefix(100))': the allowed host names are \(allowedHosts.patterns.joined(separator: ", "))"
            )
            throw HTTPError(
                .forbidden,
                message:
                    "Invalid Host header '\(host.prefix(100))': this server does not answer to that name (its operator can allow it with --allowed-hosts)"
            )
        }
        if ![.get, .head, .options].contains(request.method),
            let problem = CrossSiteWrites.problem(request.headers, host: host, trusted: trustedOrigins)
        {
            throw HTTPError(.forbidden, message: problem)
        }
        return try await next(request, context)
    }
}

/// How a browser marks a request that another site's page makes.
enum CrossSiteWrites {

    /// Why a write with these headers, sent to `host`, looks cross-site, if it does.
    static func problem(_ headers: HTTPFields, host: String, trusted trustedOrigins: Set<String>) -> String? {
        if let origin = headers[.origin] {
            let trusted = trustedOrigins.contains(origin.lowercased())
            guard trusted || authority(ofOrigin: origin) == host.lowercased() else {
                return
                    "Cross-origin write refused: a page of \(origin.prefix(100)) may not change this server (list it with --trusted-origins to allow it)"
            }
            return nil
        }
        if let name = fetchSite, headers[name] == "cross-site" {
            return "Cross-site write refused: a page of another site may not change this server"
        }
        return nil
    }

    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")

    /// `https://example.com:5000` → `example.com:5000`; default ports are dropped by browsers.
    static func authority(ofOrigin origin: String) -> String? {
        guard let schemeEnd = origin.range(of: "://") else { return nil }
        return String(origin[schemeEnd.upperBound...]).lowercased()
    }
}
