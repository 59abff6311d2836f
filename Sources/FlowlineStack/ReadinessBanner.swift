import Foundation

/// Collects the address of each service as it starts listening, and prints one banner with all the
/// URLs once every expected service is up (ports chosen with 0 are shown as bound).
actor ReadinessBanner {
    struct Endpoint {
        var name: String
        var url: String
        var note: String
    }

    private let expected: [String]
    private let header: String
    private let footer: String
    private let output: @Sendable (String) -> Void
    private var endpoints: [String: Endpoint] = [:]

    init(expected: [String], header: String, footer: String, output: @escaping @Sendable (String) -> Void) {
        self.expected = expected
        self.header = header
        self.footer = footer
        self.output = output
    }

    /// Records that `name` listens at `host:port`; prints the banner when it is the last one.
    func ready(_ name: String, host: String, port: Int, note: (String) -> String) {
        let url = "http://\(Self.urlHost(host)):\(port)"
        endpoints[name] = Endpoint(name: name, url: url, note: note(url))
        guard endpoints.count == expected.count else { return }
        let width = expected.map(\.count).max() ?? 0
        var lines = [header]
        for name in expected {
            guard let endpoint = endpoints[name] else { continue }
            let padded = endpoint.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
            lines.append("  \(padded)\(endpoint.url)\(endpoint.note.isEmpty ? "" : "   \(endpoint.note)")")
        }
        lines.append(footer)
        output(lines.joined(separator: "\n"))
    }

    /// IPv6 literals need brackets inside a URL.
    static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
