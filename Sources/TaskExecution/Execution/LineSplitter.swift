/// Splits a process's output into lines as bytes arrive: `\n`, `\r` (progress bars) and `\r\n`
/// end a line, and a line longer than ``maximumLength`` bytes is cut into pieces of at most that
/// length, never inside a UTF-8 character (each piece is decoded as text on its own).
/// Each byte is looked at once, and at most one line is held, whatever a task writes.
struct LineSplitter {
    /// The longest line kept whole: 64 KiB.
    static let maximumLength = 64 * 1024

    private var pending: [UInt8] = []
    /// The last line ended with `\r`: a `\n` right after belongs to it.
    private var afterCarriageReturn = false

    /// Takes the next bytes, handing each completed line to `emit`, with `true` for a piece of a
    /// longer line that goes on in the next.
    mutating func feed(_ bytes: ArraySlice<UInt8>, emit: ([UInt8], Bool) -> Void) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if bytes[index] == UInt8(ascii: "\n") {
                    index += 1
                    continue
                }
            }
            let stop = bytes[index...].firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } ?? bytes.endIndex
            var run = bytes[index..<stop]
            while !run.isEmpty {
                let piece = run.prefix(Self.maximumLength - pending.count)
                pending.append(contentsOf: piece)
                run = run.dropFirst(piece.count)
                if pending.count == Self.maximumLength {
                    let cut = Self.characterBoundary(before: pending)
                    emit(Array(pending[..<cut]), true)
                    pending.removeSubrange(..<cut)
                }
            }
            guard stop < bytes.endIndex else { break }
            emit(pending, false)
            pending.removeAll(keepingCapacity: true)
            afterCarriageReturn = bytes[stop] == UInt8(ascii: "\r")
            index = stop + 1
        }
    }

    /// Where `bytes` ends if the UTF-8 character its last bytes begin is not complete: the start of
    /// that character; else (or for bytes that are not UTF-8) the end.
    static func characterBoundary(before bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, bytes.count - start < 4 {
            start -= 1
            let byte = bytes[start]
            guard byte & 0xC0 == 0x80 else {
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return start + length > bytes.count && start > 0 ? start : bytes.count
            }
        }
        return bytes.count
    }

    /// Hands what is left, a last line without an ending, to `emit`.
    mutating func finish(emit: ([UInt8], Bool) -> Void) {
        if !pending.isEmpty { emit(pending, false) }
        pending.removeAll()
    }
}
