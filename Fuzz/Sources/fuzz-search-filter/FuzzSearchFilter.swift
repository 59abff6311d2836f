import FuzzDriver
import Tracking

/// Any bytes, read as UTF-8 (invalid sequences become U+FFFD), as an MLflow search filter and as
/// an `order_by` entry: the parser must answer with a result or a `TrackingError`, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSearchFilter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? FilterParser.parse(text)
    _ = try? FilterParser.parseOrderBy([text])
    return 0
}

/// The executable's main, as SwiftPM links it (see FuzzDriver.h): libFuzzer on fuzzSearchFilter.
@_cdecl("fuzz_search_filter_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    flowline_fuzz_main(argc, argv, fuzzSearchFilter)
}
