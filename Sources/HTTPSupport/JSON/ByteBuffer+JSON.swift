public import NIOCore

extension ByteBuffer {
    /// Appends `string` as a quoted JSON string, escaping what JSON requires.
    public mutating func writeJSONString(_ string: String) {
        writeInteger(UInt8(ascii: "\""))
        var runStart = string.utf8.startIndex
        var position = runStart
        let utf8 = string.utf8
        while position != utf8.endIndex {
            let byte = utf8[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                writeBytes(utf8[runStart..<position])
                writeEscaped(byte)
                runStart = utf8.index(after: position)
            }
            position = utf8.index(after: position)
        }
        writeBytes(utf8[runStart..<position])
        writeInteger(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeStaticString("\\\"")
        case UInt8(ascii: "\\"): writeStaticString("\\\\")
        case UInt8(ascii: "\n"): writeStaticString("\\n")
        case UInt8(ascii: "\r"): writeStaticString("\\r")
        case UInt8(ascii: "\t"): writeStaticString("\\t")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            writeStaticString("\\u00")
            writeInteger(hex[Int(byte >> 4)])
            writeInteger(hex[Int(byte & 0x0F)])
        }
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
        } else if value.isNaN {
            writeStaticString("\"NaN\"")
        } else {
            writeStaticString(value < 0 ? "\"-Infinity\"" : "\"Infinity\"")
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
