import HTTPSupport
import Hummingbird
import NIOCore

/// Writes `{"samples": [[x, y], …]}` straight into byte buffers, without an intermediate object tree.
///
/// Small responses go out as one buffer with a `Content-Length`; large ones are streamed in chunks
/// as they are generated, so even the largest allowed request holds only one chunk in memory.
enum SamplesResponse {
    /// Samples per buffer; responses of up to this many samples are sent in one piece.
    static let samplesPerChunk = 4096
    /// Room reserved per sample: two shortest-form doubles, brackets and commas.
    static let bytesPerSample = 44

    static func make(count: Int, sampler: LineSampler) -> Response {
        let headers: HTTPFields = [.contentType: "application/json"]
        if count <= samplesPerChunk {
            var sampler = sampler
            var buffer = ByteBuffer()
            buffer.reserveCapacity(16 + count * bytesPerSample)
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
                buffer.reserveCapacity(buffer.readableBytes + chunk * bytesPerSample + 2)
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

    private static func writeSamples(_ count: Int, from sampler: inout LineSampler, into buffer: inout ByteBuffer, first: Bool) {
        for index in 0..<count {
            let (x, y) = sampler.next()
            buffer.writeStaticString(index == 0 && first ? "[" : ",[")
            buffer.writeJSONNumber(x)
            buffer.writeInteger(UInt8(ascii: ","))
            buffer.writeJSONNumber(y)
            buffer.writeInteger(UInt8(ascii: "]"))
        }
    }
}
