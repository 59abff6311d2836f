import FuzzDriver
import Workflow

/// Any bytes, read as UTF-8 (invalid sequences become U+FFFD), as a DAG file: the loader must
/// answer with a DAG or a `DAGFileError`, never crash, and in bounded time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDAGLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch DAGFileParser.parse(text, file: "fuzz.yaml") {
    case .success(let dag):
        // Touch what a loaded DAG is used for, so that nothing is left lazily unchecked.
        _ = dag.tasks.count
    case .failure(let error):
        _ = error.description
    }
    return 0
}

/// The executable's main, as SwiftPM links it (see FuzzDriver.h): libFuzzer on fuzzDAGLoader.
@_cdecl("fuzz_dag_loader_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    flowline_fuzz_main(argc, argv, fuzzDAGLoader)
}
