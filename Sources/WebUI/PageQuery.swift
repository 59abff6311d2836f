import HTTPSupport
import Hummingbird

/// A page's query string, decoded as browsers encode GET forms (``FormURLEncoded``): `+` is a
/// space, then percent escapes (`%27` is `'`). Names may repeat (`?runs=a&runs=b`).
struct PageQuery {
    private let pairs: [(name: String, value: String)]

    init(_ request: Request) {
        self.init(request.uri.query ?? "")
    }

    init(_ query: String) {
        pairs = FormURLEncoded.pairs(query)
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }
}
