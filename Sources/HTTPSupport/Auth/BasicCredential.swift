import Foundation

/// A user name and password, checked against a request's HTTP basic `Authorization`.
public struct BasicCredential: Sendable, Equatable {
    public var username: String
    public var password: String

    /// Parses `USER:PASSWORD`; `nil` without a colon or with an empty part.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
        guard !username.isEmpty, !password.isEmpty else { return nil }
    }

    /// Whether an `Authorization` header value carries this credential (compared in constant time).
    public func matches(authorization header: String?) -> Bool {
        guard let header, header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces))
        else { return false }
        return ConstantTime.equal("\(username):\(password)".utf8, decoded)
    }
}
