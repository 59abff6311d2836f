import FuzzDriver
import JSON
import Workflow

/// Any bytes, read as UTF-8 (invalid sequences become U+FFFD), as a template rendered for each
/// embedding: the renderer must answer with a value or a `TemplateError`, never crash, in bounded
/// time (libFuzzer's -timeout). The context's strings hold shell and URL metacharacters on
/// purpose; that the quoted output keeps them as data is checked by a unit test that runs bash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for embedding in [TemplateEmbedding.shell, .value, .url, .trusted] {
        _ = try? renderer.render(.string(text), at: "command", embedding: embedding)
    }
    return 0
}

let renderer = TemplateRenderer(context: [
    "ds": "2026-01-02",
    "ts": "2026-01-02T03:04:05+00:00",
    "run_id": "manual__2026-01-02T03:04:05+00:00",
    "workspace": "/tmp/flowline work/run 1",
    "dag": .object(["dag_id": "fuzz", "tags": .array(["a", "b c"])]),
    "task": .object(["task_id": "t1", "operator": "bash", "owner": "airflow"]),
    "params": .object([
        "who": "world",
        "n": .integer(3),
        "ratio": .double(0.25),
        "flag": .bool(true),
        "nothing": .null,
        "quote": "it's \"quoted\" $(touch /tmp/pwned) `id` ; rm -rf / | cat & \\ \n# not a comment ${HOME} $((1+1)) <<EOF *?[]~",
        "url": "a/b?c=d&e=f#g %2F ../..",
        "dots": "..",
        "unicode": "größe 名前 😀",
        "list": .array([.integer(1), "two", .array(["x", "y;z"]), .object(["k": "v"])]),
        "empty_list": .array([]),
        "nested": .object(["a": .object(["b": "deep $x"])]),
    ]),
    "var": .object([
        "model_repo": "https://example.com/models/repo.git",
        "base_url": "http://localhost:8080/api",
        "secret_token": "s3cr3t'\"$`",
        "count": .integer(7),
    ]),
    "xcom": .object([
        "fetch": .object(["path": "/data/in put.csv", "rows": .integer(42), "files": .array(["a.csv", "b'c.csv"])]),
        "train": "model-$(whoami).bin",
    ]),
    "dag_run": .object(["run_id": "manual__x", "conf": .object(["commit": "abc123; echo hi", "n": .integer(2)])]),
])

/// The executable's main, as SwiftPM links it (see FuzzDriver.h): libFuzzer on fuzzTemplate.
@_cdecl("fuzz_template_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    flowline_fuzz_main(argc, argv, fuzzTemplate)
}
