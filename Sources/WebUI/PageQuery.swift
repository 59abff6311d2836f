import Foundation
import Hummingbird

/// A page's query string, decoded as browsers encode GET forms: `+` is a space, then percent
/// escapes (`%27` is `'`). Names may repeat (`?runs=a&runs=b`).
struct PageQuery {
    private let pairs: [(name: String, value: String)]

    init(_ request: Request) {
        self.init(request.uri.query ?? "")
    }

    init(_ query: String) {
        pairs = query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(Self.decode)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// Text as a quoted string of MLflow's search filter syntax: `'it''s'` becomes `'it\'s'`.
enum FilterText {
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
