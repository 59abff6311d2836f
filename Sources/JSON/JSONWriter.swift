public import NIOCore

/// Writes JSON straight into a buffer, members in the order they are written, without building a
/// ``JSONValue`` tree first: for responses with thousands of elements (metric histories, run
/// searches), where building and sorting dictionaries would cost more than the rest of the request.
///
/// ```swift
/// let body = JSONWriter.object { json in
///     json.field("name", "train")
///     json.array("metrics", metrics) { json, metric in json.object { $0.field("value", metric.value) } }
/// }
/// ```
public struct JSONWriter {
    private var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far.
    public var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    /// A buffer holding the one object that `body` writes the members of.
    public static func object(capacity: Int = 1024, _ body: (inout JSONWriter) throws -> Void) rethrows -> ByteBuffer {
        var writer = JSONWriter(capacity: capacity)
        try writer.object(body)
        return writer.buffer
    }

    // MARK: Values

    /// Writes an object whose members `body` writes.
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes an array with one element per item of `elements`, each written by `body`.
    public mutating func array<S: Sequence>(_ elements: S, _ body: (inout JSONWriter, S.Element) throws -> Void) rethrows {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for element in elements { try body(&self, element) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    public mutating func value(_ string: String) {
        separate()
        JSONText.appendString(string, to: &bytes)
        needsComma = true
    }

    public mutating func value(_ integer: Int64) {
        separate()
        JSONText.appendInteger(integer, to: &bytes)
        needsComma = true
    }

    /// Writes a number; non-finite ones as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public mutating func value(_ number: Double) {
        separate()
        JSONText.appendNumber(number, to: &bytes)
        needsComma = true
    }

    public mutating func value(_ flag: Bool) {
        separate()
        JSONText.append(flag ? "true" : "false", to: &bytes)
        needsComma = true
    }

    public mutating func value(_ json: JSONValue) {
        separate()
        var buffer = ByteBuffer()
        buffer.writeJSON(json)
        bytes.append(contentsOf: buffer.readableBytesView)
        needsComma = true
    }

    // MARK: Object members

    /// Starts a member named `key` (a literal, written as it is: it must need no escaping); the
    /// next value written is its value.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        JSONText.append(key, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func field(_ key: StaticString, _ string: String) {
        self.key(key)
        value(string)
    }

    public mutating func field(_ key: StaticString, _ integer: Int64) {
        self.key(key)
        value(integer)
    }

    public mutating func field(_ key: StaticString, _ number: Double) {
        self.key(key)
        value(number)
    }

    public mutating func field(_ key: StaticString, _ flag: Bool) {
        self.key(key)
        value(flag)
    }

    public mutating func field(_ key: StaticString, _ json: JSONValue) {
        self.key(key)
        value(json)
    }

    /// Writes the member only when `string` is not `nil`.
    public mutating func field(_ key: StaticString, _ string: String?) {
        if let string { field(key, string) }
    }

    /// Writes the member only when `integer` is not `nil`.
    public mutating func field(_ key: StaticString, _ integer: Int64?) {
        if let integer { field(key, integer) }
    }

    /// Writes an object member whose members `body` writes.
    public mutating func object(_ key: StaticString, _ body: (inout JSONWriter) throws -> Void) rethrows {
        self.key(key)
        try object(body)
    }

    /// Writes an array member, omitted when `elements` is empty (as protobuf's JSON form does).
    public mutating func array<C: Collection>(_ key: StaticString, _ elements: C, _ body: (inout JSONWriter, C.Element) throws -> Void) rethrows {
        guard !elements.isEmpty else { return }
        self.key(key)
        try array(elements, body)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}

/// JSON text appended to a byte array: the pieces ``JSONWriter`` and the `ByteBuffer` writers share.
enum JSONText {
    static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `string` quoted, escaping what JSON requires.
    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscaped(byte, to: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"", to: &bytes)
        case UInt8(ascii: "\\"): append("\\\\", to: &bytes)
        case UInt8(ascii: "\n"): append("\\n", to: &bytes)
        case UInt8(ascii: "\r"): append("\\r", to: &bytes)
        case UInt8(ascii: "\t"): append("\\t", to: &bytes)
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00", to: &bytes)
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends `value` in decimal.
    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Appends `value` in its shortest round-trip form; non-finite values as the strings `"NaN"`,
    /// `"Infinity"` and `"-Infinity"`, as MLflow writes them, so the output stays valid JSON.
    static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
        if value.isFinite {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ShortestDouble.maximumLength) { digits in
                guard let base = digits.baseAddress else { return }
                let count = ShortestDouble.write(value, to: base)
                bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
            }
        } else if value.isNaN {
            append("\"NaN\"", to: &bytes)
        } else {
            append(value < 0 ? "\"-Infinity\"" : "\"Infinity\"", to: &bytes)
        }
    }
}
