/// Comparisons of secrets (tokens, passwords) whose time does not depend on where the values
/// differ, so that timing a server's answers cannot reveal a secret byte by byte.
public enum ConstantTime {
    /// Whether the bytes are equal; only their lengths can be learnt from the time taken.
    public static func equal(_ a: some Sequence<UInt8>, _ b: some Sequence<UInt8>) -> Bool {
        let x = Array(a)
        let y = Array(b)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Whether the strings' UTF-8 bytes are equal.
    public static func equal(_ a: String, _ b: String) -> Bool {
        equal(a.utf8, b.utf8)
    }
}
