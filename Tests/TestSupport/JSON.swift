import Foundation
import HummingbirdTesting
public import NIOCore

/// A response body parsed with Foundation, for assertions.
public func jsonObject(_ buffer: ByteBuffer) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed])
}

/// A response body parsed as a JSON object.
public func jsonDictionary(_ buffer: ByteBuffer) throws -> [String: Any] {
    guard let dictionary = try jsonObject(buffer) as? [String: Any] else {
        throw TestFailure("expected a JSON object, got \(String(buffer: buffer))")
    }
    return dictionary
}

extension ByteBuffer {
    /// A buffer holding `text`.
    public init(_ text: String) {
        self.init(string: text)
    }
}

/// A failed expectation in a test helper.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
