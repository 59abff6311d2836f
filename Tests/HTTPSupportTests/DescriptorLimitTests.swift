import HTTPSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("The descriptor limit and the connection cap")
struct DescriptorLimitTests {
    #if canImport(Glibc)
    static let resource = Int32(RLIMIT_NOFILE.rawValue)
    #else
    static let resource = RLIMIT_NOFILE
    #endif

    @Test("Making a policy changes no limit; raise() lifts the soft limit to the hard one; the default cap follows the limit")
    func raise() throws {
        var original = rlimit()
        try #require(getrlimit(Self.resource, &original) == 0)
        try #require(original.rlim_max > 2048 && original.rlim_max <= 1 << 20, "a hard limit this test can work with")
        defer { _ = setrlimit(Self.resource, &original) }
        var lowered = original
        lowered.rlim_cur = min(original.rlim_cur, original.rlim_max - 1)
        try #require(setrlimit(Self.resource, &lowered) == 0)

        let policy = ServerPolicy()
        #expect(policy.maximumConnections == nil)
        #expect(DescriptorLimit.current == Int(lowered.rlim_cur), "a policy leaves the limit alone")
        #expect(ServerPolicy.defaultMaximumConnections == max(64, (Int(lowered.rlim_cur) - 1024) / 4))

        #expect(DescriptorLimit.raise() == Int(original.rlim_max))
        #expect(DescriptorLimit.current == Int(original.rlim_max))
        #expect(ServerPolicy.defaultMaximumConnections == max(64, (Int(original.rlim_max) - 1024) / 4))
    }
}
