// The ceilings the samples benchmark compares the service with:
//   flowline-ceiling serve PORT          a bare Hummingbird server: POST /get-samples reads the body
//                                        and answers one fixed sample; GET /hello answers a greeting
//   flowline-ceiling format N [ROUNDS]   the time to sample and format an answer of N samples (the
//                                        service's own code, no server): prints microseconds, median
import Foundation
import Hummingbird
import NIOCore
import Samples

let arguments = CommandLine.arguments.dropFirst()
switch (arguments.first, arguments.dropFirst().first.flatMap { Int($0) }) {
case ("serve", let port?):
    let router = Router()
    router.get("/hello") { _, _ in #"{"message":"Hello"}"# }
    router.post("/get-samples") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1024)
        var body = ByteBuffer()
        body.writeStaticString(#"{"samples":[[0.5,1.25]]}"#)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
case ("format", let count?):
    let rounds = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 2000
    let line = LineParameters(gradient: 2, intercept: 1, noiseSigma: 0.1)
    let clock = ContinuousClock()
    var times: [Double] = []
    var bytes = 0
    for round in 0..<rounds {
        let started = clock.now
        let body = SamplesResponse.body(count: count, line: line, seed: UInt64(round))
        let elapsed = started.duration(to: clock.now)
        bytes &+= body.readableBytes
        times.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    times.sort()
    print(String(format: "%.2f", times[times.count / 2]), bytes / rounds)
default:
    FileHandle.standardError.write(Data("usage: flowline-ceiling serve PORT | format N [ROUNDS]\n".utf8))
    exit(2)
}
