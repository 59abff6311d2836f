import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird

/// An HTML form post (`application/x-www-form-urlencoded`): field name → value (the last one wins).
struct FormData {
    static let maximumSize = 1 << 20
    var fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    /// Reads the form of a request whose body may already have been collected (the session
    /// middleware reads it for the CSRF token).
    static func read(_ request: Request) async throws -> FormData {
        var request = request
        return try await read(&request)
    }

    /// Reads the form, leaving `request` with its collected body for whoever reads it next.
    static func read(_ request: inout Request) async throws -> FormData {
        let buffer = try await request.collectBody(upTo: maximumSize)
        return FormData(fields: parse(String(buffer: buffer)))
    }

    static func parse(_ text: String) -> [String: String] {
        Dictionary(FormURLEncoded.pairs(text), uniquingKeysWith: { _, last in last })
    }
}

/// Cookies of a request.
enum Cookies {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, Secure when the request came over TLS.
    static func make(_ name: String, _ value: String, maxAge: Int, request: Request) -> String {
        let forwarded = HTTPField.Name("X-Forwarded-Proto").flatMap { request.headers[$0] }
        let secure = request.uri.scheme?.rawValue == "https" || forwarded?.lowercased() == "https"
        return "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }
}
