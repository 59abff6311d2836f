import Foundation

/// The `Host` names a server answers, as `--allowed-hosts` lists them (MLflow's option): exact
/// names (`mlflow.example.com`, with or without `:port`), `*.example.com`, `192.168.*`, or `*` for
/// any. By default, loopback names and private network addresses, so that a web page on another
/// site cannot reach the server through a domain that resolves to it (DNS rebinding).
public struct HostPatterns: Sendable, Equatable {
    /// The patterns as given, trimmed and lowercased.
    public let patterns: [String]
    /// The patterns, compiled once: a request compares bytes only.
    private let compiled: [Pattern]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        compiled = self.patterns.map(Pattern.init)
    }

    /// Parses a comma-separated list.
    public init(list: String) {
        self.init(list.split(separator: ",").map(String.init))
    }

    public static func == (lhs: HostPatterns, rhs: HostPatterns) -> Bool {
        lhs.patterns == rhs.patterns
    }

    /// `localhost`, loopback and private network addresses (10/8, 172.16/12, 192.168/16, IPv6
    /// unique-local and link-local).
    public static let localAndPrivate = HostPatterns([
        "localhost", "*.localhost", "127.*", "[::1]", "10.*", "192.168.*", "172.16-31.*", "[fc*", "[fd*", "[fe80:*", "169.254.*",
    ])

    /// These patterns and `host` (the address a server listens on, when it is a name or address
    /// of its own rather than a wildcard).
    public func adding(_ host: String) -> HostPatterns {
        let name = host.lowercased()
        guard !["0.0.0.0", "::", "[::]", "*", ""].contains(name) else { return self }
        return HostPatterns(patterns + [name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name])
    }

    /// Whether a request's `Host` header value is allowed.
    public func allows(_ header: String) -> Bool {
        let host = Array(header.lowercased().utf8)
        let name = Self.name(of: host)
        let nameIsIPv4 = Self.isIPv4(name)
        return compiled.contains { $0.matches(host: host[...], name: name, nameIsIPv4: nameIsIPv4) }
    }

    /// `a.b.c.d` with four numbers of 0…255.
    static func isIPv4(_ name: ArraySlice<UInt8>) -> Bool {
        let parts = name.split(separator: dot, omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && number(part).map { $0 <= 255 } == true }
    }

    /// The host name without its port: `example.com:5000` → `example.com`, `[::1]:80` → `[::1]`.
    static func name(of host: [UInt8]) -> ArraySlice<UInt8> {
        if host.first == UInt8(ascii: "["), let close = host.firstIndex(of: UInt8(ascii: "]")) { return host[...close] }
        return host[..<(host.firstIndex(of: UInt8(ascii: ":")) ?? host.endIndex)]
    }

    /// The decimal number these ASCII digits spell; `nil` for anything else or more than 9 digits.
    static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static let dot = UInt8(ascii: ".")
    static let star = UInt8(ascii: "*")

    /// `*` matches any run of bytes, iteratively (no backtracking blow-up).
    static func glob(_ text: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        var ti = text.startIndex
        var pi = pattern.startIndex
        var starAt = -1
        var mark = text.startIndex
        while ti < text.endIndex {
            if pi < pattern.endIndex, pattern[pi] == text[ti] {
                ti += 1
                pi += 1
            } else if pi < pattern.endIndex, pattern[pi] == star {
                starAt = pi
                mark = ti
                pi += 1
            } else if starAt >= 0 {
                pi = starAt + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < pattern.endIndex, pattern[pi] == star { pi += 1 }
        return pi == pattern.endIndex
    }

    /// One pattern, ready to compare with a request's bytes.
    private struct Pattern: Sendable {
        /// A dotted part such as `16-31` at index `part`: the name's part there must be a number in
        /// `bounds` (`nil` for bounds that hold none: the pattern matches nothing), and the rest
        /// must match `before` + that number + `after`.
        struct NumberRange: Sendable {
            var part: Int
            var bounds: ClosedRange<Int>?
            var before: [UInt8]
            var after: [UInt8]
        }

        let bytes: [UInt8]
        /// A pattern of IPv4 addresses (`192.168.*`) matches addresses only, never a name such as
        /// `192.168.1.1.evil.example` that an attacker could point anywhere.
        let addressesOnly: Bool
        /// A pattern with a port matches the whole header; one without, the name alone.
        let hasPort: Bool
        let range: NumberRange?

        init(_ pattern: String) {
            bytes = Array(pattern.utf8)
            addressesOnly = pattern.first?.isNumber == true
            hasPort = pattern.hasPrefix("[") ? pattern.contains("]:") : pattern.contains(":")
            let parts = pattern.split(separator: ".", omittingEmptySubsequences: false)
            guard pattern.contains("-"),
                let index = parts.firstIndex(where: { $0.contains("-") && $0.split(separator: "-").allSatisfy { Int($0) != nil } })
            else {
                range = nil
                return
            }
            let numbers = parts[index].split(separator: "-").compactMap { Int($0) }
            range = NumberRange(
                part: index,
                bounds: numbers.count == 2 && numbers[0] <= numbers[1] ? numbers[0]...numbers[1] : nil,
                before: index > 0 ? Array((parts[..<index].joined(separator: ".") + ".").utf8) : [],
                after: index < parts.count - 1 ? Array(("." + parts[(index + 1)...].joined(separator: ".")).utf8) : []
            )
        }

        func matches(host: ArraySlice<UInt8>, name: ArraySlice<UInt8>, nameIsIPv4: Bool) -> Bool {
            if addressesOnly, !nameIsIPv4 { return false }
            let text = hasPort ? host : name
            guard let range else { return HostPatterns.glob(text, bytes[...]) }
            guard let bounds = range.bounds else { return false }
            let parts = text.split(separator: HostPatterns.dot, omittingEmptySubsequences: false)
            guard parts.count > range.part, let number = HostPatterns.number(parts[range.part]), bounds.contains(number) else { return false }
            return HostPatterns.glob(text, (range.before + parts[range.part] + range.after)[...])
        }
    }
}
