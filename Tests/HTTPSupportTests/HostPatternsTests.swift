import HTTPSupport
import Testing

@Suite("Allowed Host names")
struct HostPatternsTests {
    @Test(
        "Loopback and private addresses by default; never a name that only looks like one",
        arguments: [
            ("localhost", true), ("localhost:5000", true), ("127.0.0.1:8080", true), ("127.1.2.3", true), ("[::1]:5000", true),
            ("10.0.0.7", true), ("192.168.1.20:5000", true), ("172.16.0.1", true), ("172.31.255.255", true), ("172.32.0.1", false),
            ("172.15.0.1", false), ("app.localhost", true), ("[fd00::1]:80", true), ("[fe80::1]", true), ("[2001:db8::1]", false),
            ("evil.example", false), ("127.0.0.1.evil.example", false), ("10.0.0.1.nip.io", false), ("localhost.evil.example", false),
            ("", false), ("8.8.8.8", false), ("192.168.1", false), ("192.168.1.999", false),
        ]
    )
    func defaults(host: String, allowed: Bool) {
        #expect(HostPatterns.localAndPrivate.allows(host) == allowed, "\(host)")
    }

    @Test("Configured names, wildcards, ports, and the listening address")
    func configured() {
        let patterns = HostPatterns(list: "mlflow.example.com, *.lab.example, gateway.example:8443").adding("203.0.113.5")
        #expect(patterns.allows("mlflow.example.com"))
        #expect(patterns.allows("MLflow.Example.com:5000"))
        #expect(patterns.allows("gpu.lab.example"))
        #expect(!patterns.allows("lab.example.evil"))
        #expect(patterns.allows("gateway.example:8443"))
        #expect(!patterns.allows("gateway.example:9999"))
        #expect(patterns.allows("203.0.113.5:5000"))
        #expect(!HostPatterns([]).adding("0.0.0.0").allows("0.0.0.0"))
        #expect(HostPatterns(["*"]).allows("anything.example"))
    }

    @Test("Number ranges in any place; a range that holds no number matches nothing")
    func ranges() {
        let patterns = HostPatterns(["10-20.0.0.*", "lab.3-5.example:8080"])
        #expect(patterns.allows("15.0.0.9") && patterns.allows("10.0.0.1") && !patterns.allows("21.0.0.1") && !patterns.allows("15.0.1.1"))
        #expect(
            patterns.allows("lab.4.example:8080") && !patterns.allows("lab.6.example:8080") && !patterns.allows("lab.4.example:9090")
                && !patterns.allows("lab.4.example")
        )
        #expect(!HostPatterns(["172.31-16.*"]).allows("172.20.0.1"))
        #expect(!HostPatterns(["172.16-31-40.*"]).allows("172.20.0.1"))
    }
}
