import Foundation

/// The `Host` names a server answers, as `--allowed-hosts` lists them (MLflow's option): exact
/// names (`mlflow.example.com`, with or without `:port`), `*.example.com`, `192.168.*`, or `*` for
/// any. By default, loopback names and private network addresses, so that a web page on another
/// site cannot reach the server through a domain that resolves to it (DNS rebinding).
public struct HostPatterns: Sendable, Equatable {
    public var patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// Parses a comma-separated list.
    public init(list: String) {
        self.init(list.split(separator: ",").map(String.init))
    }

    /// `localhost`, loopback and private network addresses (10/8, 172.16/12, 192.168/16, IPv6
    /// unique-local and link-local).
    public static let localAndPrivate = HostPatterns(["localhost", "*.localhost", "127.*", "[::1]", "10.*", "192.168.*", "172.16-31.*", "[fc*", "[fd*", "[fe80:*", "169.254.*"])

    /// These patterns and `host` (the address a server listens on, when it is a name or address
    /// of its own rather than a wildcard).
    public func adding(_ host: String) -> HostPatterns {
        let name = host.lowercased()
        guard !["0.0.0.0", "::", "[::]", "*", ""].contains(name) else { return self }
        return HostPatterns(patterns + [name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name])
    }

    /// Whether a request's `Host` header value is allowed.
    public func allows(_ header: String) -> Bool {
        let host = header.lowercased()
        let name = Self.name(of: host)
        return patterns.contains { pattern in
            // A pattern of IPv4 addresses (`192.168.*`) matches addresses only, never a name
            // such as `192.168.1.1.evil.example` that an attacker could point anywhere.
            if pattern.first?.isNumber == true, !Self.isIPv4(name) { return false }
            // A pattern with a port matches the whole header; one without, the name alone.
            let hasPort = pattern.hasPrefix("[") ? pattern.contains("]:") : pattern.contains(":")
            return Self.matches(hasPort ? host : name, pattern)
        }
    }

    /// `a.b.c.d` with four numbers of 0…255.
    static func isIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && part.allSatisfy(\.isASCII) && Int(part).map { (0...255).contains($0) } == true }
    }

    /// The host name without its port: `example.com:5000` → `example.com`, `[::1]:80` → `[::1]`.
    static func name(of host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        return String(host.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// `*` matches any run of characters; `16-31` in a dotted part matches a number in that range.
    static func matches(_ text: String, _ pattern: String) -> Bool {
        if pattern.contains("-") {
            let patternParts = pattern.split(separator: ".", omittingEmptySubsequences: false)
            let textParts = text.split(separator: ".", omittingEmptySubsequences: false)
            if let range = patternParts.firstIndex(where: { $0.contains("-") && $0.split(separator: "-").allSatisfy { Int($0) != nil } }) {
                let bounds = patternParts[range].split(separator: "-").compactMap { Int($0) }
                guard textParts.count > range, let number = Int(textParts[range]), bounds.count == 2, (bounds[0]...bounds[1]).contains(number) else { return false }
                var rewritten = patternParts
                rewritten[range] = textParts[range]
                return matches(text, rewritten.joined(separator: "."))
            }
        }
        // Glob with `*` only, iteratively (no backtracking blow-up: patterns are short and few).
        let t = Array(text), p = Array(pattern)
        var ti = 0, pi = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == t[ti] {
                ti += 1
                pi += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
