/// Percent-encoding as RFC 3986 defines it for one component: every byte but the unreserved
/// letters, digits and `-._~` becomes `%XX` (uppercase hex). The one encoder of stored names,
/// template URL components and signed S3 requests.
public enum PercentEncoding {
    /// `text` encoded; with `encodingDots`, `.` is encoded too.
    public static func encode(_ text: String, encodingDots: Bool = false) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where !encodingDots:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += hex.count == 1 ? "%0" + hex : "%" + hex
            }
        }
        return encoded
    }
}
