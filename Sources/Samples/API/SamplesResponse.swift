import Hummingbird
import JSON
public import NIOCore

/// Writes `{"samples": [[x, y], …]}` straight into byte buffers, without an intermediate object tree.
///
/// Small responses go out as one buffer with a `Content-Length`; large ones are streamed in chunks
/// as they are generated, so even the largest allowed request holds only one chunk in memory.
public enum SamplesResponse {
    /// Samples per buffer; responses of up to this many samples are sent in one piece.
    static let samplesPerChunk = 4096
    /// The most bytes one sample takes: `,[` x `,` y `]`.
    static let maximumBytesPerSample = 2 * ShortestDouble.maximumLength + 4

    static func make(count: Int, sampler: LineSampler) -> Response {
        let headers: HTTPFields = [.contentType: "application/json"]
        if count <= samplesPerChunk {
            var sampler = sampler
            var buffer = ByteBuffer()
            buffer.reserveCapacity(16 + count * 40)
            buffer.writeStaticString(#"{"samples":["#)
            writeSamples(count, from: &sampler, into: &buffer, first: true)
            buffer.writeStaticString("]}")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
        let body = ResponseBody { writer in
            var sampler = sampler
            var remaining = count
            var buffer = ByteBuffer()
            buffer.writeStaticString(#"{"samples":["#)
            var first = true
            while remaining > 0 {
                let chunk = min(remaining, samplesPerChunk)
                writeSamples(chunk, from: &sampler, into: &buffer, first: first)
                first = false
                remaining -= chunk
                if remaining == 0 { buffer.writeStaticString("]}") }
                try await writer.write(buffer)
                buffer = ByteBuffer()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The body of an answer of `count` samples from `line`, in one buffer: what the server formats
    /// for a request, without the server (the samples benchmark times it as its ceiling).
    public static func body(count: Int, line: LineParameters, seed: UInt64) -> ByteBuffer {
        var sampler = LineSampler(line: line, seed: seed)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + count * 40)
        buffer.writeStaticString(#"{"samples":["#)
        writeSamples(count, from: &sampler, into: &buffer, first: true)
        buffer.writeStaticString("]}")
        return buffer
    }

    /// Appends `count` samples as `[x,y]` pairs separated by commas (and preceded by one unless
    /// `first`), formatting the numbers directly into the buffer's memory.
    private static func writeSamples(_ count: Int, from sampler: inout LineSampler, into buffer: inout ByteBuffer, first: Bool) {
        var remaining = count
        var needsComma = !first
        while remaining > 0 {
            let batch = min(remaining, 256)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: batch * maximumBytesPerSample) { raw in
                guard let start = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                var cursor = start
                for _ in 0..<batch {
                    let (x, y) = sampler.next()
                    if needsComma {
                        cursor.pointee = UInt8(ascii: ",")
                        cursor += 1
                    }
                    needsComma = true
                    cursor.pointee = UInt8(ascii: "[")
                    cursor += 1
                    cursor += writeNumber(x, to: cursor)
                    cursor.pointee = UInt8(ascii: ",")
                    cursor += 1
                    cursor += writeNumber(y, to: cursor)
                    cursor.pointee = UInt8(ascii: "]")
                    cursor += 1
                }
                return cursor - start
            }
            remaining -= batch
        }
    }

    /// A finite number in shortest form. The line's bounds keep every y finite; should one not
    /// be, it becomes `null`, as JSON has no literal for infinities.
    @inline(__always)
    private static func writeNumber(_ value: Double, to pointer: UnsafeMutablePointer<UInt8>) -> Int {
        if value.isFinite { return ShortestDouble.write(value, to: pointer) }
        for (offset, byte) in "null".utf8.enumerated() { pointer[offset] = byte }
        return 4
    }
}
