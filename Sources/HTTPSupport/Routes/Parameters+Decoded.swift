import Foundation
public import Hummingbird

extension Parameters {
    /// A path parameter, percent-decoded (`manual__2026-01-01T00%3A00%3A00%2B00%3A00`).
    /// - Throws: 404 when it is missing, as for an unknown path.
    public func decoded(_ name: String) throws -> String {
        let raw = try require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
