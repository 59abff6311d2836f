import ExampleProjects
import Foundation
import Testing

@testable import Workflow

/// Mutation fuzzing of the DAG loader: thousands of damaged variants of valid DAG files must each
/// load or fail with an import error — never crash, hang or take long. (Deterministic: a fixed
/// seed, so a failure reproduces.) `fuzz/dag-loader.sh` runs the same check coverage-guided.
@Suite("DAG loader fuzzing")
struct DAGLoaderFuzzTests {
    static let corpus = [
        try! ExampleDAGs.files()[0].text,
        "dag_id: x\nschedule: '*/5 * * * *'\nparams: {n: {type: integer, default: 1}}\ntasks:\n  - {id: a, operator: bash, command: 'echo {{ params.n }}'}\n  - {id: b, operator: sensor, upstream: [a], delay: 1s}\n",
        "tasks:\n  - id: h\n    operator: http\n    url: http://x\n    json: {a: [1, 2, {b: c}]}\n    headers: {X: y}\n",
    ]
    static let fragments = [
        "{", "}", "[", "]", ":", "- ", "? ", "&a ", "*a", "!!binary ", "!!map ", "\"", "'", "\n  ", "\t", "#", "|", ">", "%YAML 1.2\n", "---\n",
        "...\n", "\u{0}", "\u{FEFF}", "<<: *a\n", "~", "1e999", "-", "{{", "}}",
    ]

    @Test("Damaged DAG files never crash the loader")
    func mutations() {
        var random = SeededRandom(seed: 0x5EED)
        let clock = ContinuousClock()
        var slowest: Duration = .zero
        for iteration in 0..<4000 {
            var bytes = Array(Self.corpus[iteration % Self.corpus.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
                case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 2:
                    let fragment = Array(Self.fragments[Int.random(in: 0..<Self.fragments.count, using: &random)].utf8)
                    bytes.insert(contentsOf: fragment, at: Int.random(in: 0...bytes.count, using: &random))
                default: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let started = clock.now
            _ = DAGFileParser.parse(text, file: "fuzz.yaml")
            slowest = max(slowest, clock.now - started)
        }
        #expect(slowest < .seconds(1), "the slowest input took \(slowest)")
    }
}

/// SplitMix64, for reproducible fuzzing.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
