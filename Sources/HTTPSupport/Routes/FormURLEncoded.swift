import Foundation

/// Text in `application/x-www-form-urlencoded` form, as browsers send form posts and GET forms'
/// query strings: `name=value` pairs joined by `&`, `+` for a space, then percent escapes.
public enum FormURLEncoded {
    /// The name-value pairs in order; names may repeat, and a pair without `=` has an empty value.
    /// Text whose percent escapes are broken is kept as it is (with `+` read as a space).
    public static func pairs(_ text: some StringProtocol) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// One name or value: `+` is a space, then percent escapes are decoded.
    static func decode(_ text: some StringProtocol) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
