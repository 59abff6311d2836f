public import NIOCore

extension ByteBuffer {
    /// Appends `string` as a quoted JSON string, escaping what JSON requires.
    public mutating func writeJSONString(_ string: String) {
        var bytes: [UInt8] = []
        JSONText.appendString(string, to: &bytes)
        writeBytes(bytes)
    }

    /// Appends `value` as a JSON number in its shortest round-trip form.
    ///
    /// JSON has no literal for non-finite numbers: they are written as the strings `"NaN"`,
    /// `"Infinity"` and `"-Infinity"`, as MLflow does, so the output always stays valid JSON.
    public mutating func writeJSONNumber(_ value: Double) {
        if value.isFinite {
            writeWithUnsafeMutableBytes(minimumWritableBytes: ShortestDouble.maximumLength) { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                return ShortestDouble.write(value, to: base)
            }
        } else {
            var bytes: [UInt8] = []
            JSONText.appendNumber(value, to: &bytes)
            writeBytes(bytes)
        }
    }

    /// Appends `value` as JSON text.
    public mutating func writeJSON(_ value: JSONValue) {
        switch value {
        case .null: writeStaticString("null")
        case .bool(let flag): writeStaticString(flag ? "true" : "false")
        case .number(let number):
            if number.doubleValue.isFinite {
                writeString(number.literal)
            } else {
                writeJSONNumber(number.doubleValue)
            }
        case .string(let string): writeJSONString(string)
        case .array(let elements):
            writeInteger(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { writeInteger(UInt8(ascii: ",")) }
                writeJSON(element)
            }
            writeInteger(UInt8(ascii: "]"))
        case .object(let members):
            writeInteger(UInt8(ascii: "{"))
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { writeInteger(UInt8(ascii: ",")) }
                writeJSONString(key)
                writeInteger(UInt8(ascii: ":"))
                if let member = members[key] { writeJSON(member) }
            }
            writeInteger(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// The value as compact JSON text (object keys sorted).
    public var jsonText: String {
        var buffer = ByteBuffer()
        buffer.writeJSON(self)
        return String(buffer: buffer)
    }
}
