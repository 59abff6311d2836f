#!/usr/bin/env bash
# Coverage-guided fuzzing of Flowline's parsers with libFuzzer.
#
# Usage:
#   scripts/fuzz.sh TARGET SECONDS     fuzz one target for SECONDS seconds
#   scripts/fuzz.sh all SECONDS        fuzz every target in turn, SECONDS each
#   scripts/fuzz.sh --list             print the target names
#
# Targets (Fuzz/Sources/<target>/):
#   fuzz-dag-loader     DAGFileParser.parse on any text: never crashes
#   fuzz-search-filter  FilterParser.parse and FilterParser.parseOrderBy on any text
#   fuzz-json           JSONParser.parse on any bytes; a parsed value's jsonText parses back to it
#   fuzz-template       TemplateRenderer.render for the shell, value, url and trusted embeddings
#   fuzz-like-pattern   LikePattern against a reference matcher (input: pattern NUL value)
#
# What it does:
#   1. Builds the Fuzz package (Fuzz/, its own SwiftPM package; scratch path Fuzz/.build, git-ignored)
#      with  swift build -c debug --product TARGET -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
#      (libFuzzer + AddressSanitizer; the main package's build and .build are not touched).
#   2. Runs the target for SECONDS seconds on the corpus Fuzz/Corpus/TARGET/ (kept in git), inputs
#      at most 4096 bytes, 10 s per input at most (a slower one is a finding: a hang), with the
#      keywords of Fuzz/Dictionaries/TARGET.dict as mutation material.
#      New inputs go to a temporary directory and are then merged into the corpus with -merge=1,
#      which keeps only those that add coverage, so the committed corpus stays small.
#   3. Crashes, hangs (timeout-*), out-of-memory (oom-*) and leaks go to Fuzz/Findings/TARGET/
#      (git-ignored), with the run's log in Fuzz/Findings/TARGET/last-run.log.
#   4. Prints one line: target, seconds, executions, corpus size, findings of this run.
#   Exits 1 when a run found something (for `all`: when any did), 2 for a usage error.
#   libFuzzer stops at the first crash; with FUZZ_KEEP_GOING=1 it fuzzes in a child process
#   (-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1), saves each crash and goes on
#   for the whole SECONDS: use it while a known finding is not fixed yet.
#
# Reproduce a finding (prints the stack):
#   SWIFT_BACKTRACE=enable=no Fuzz/.build/debug/TARGET Fuzz/Findings/TARGET/crash-…
# Environment: FUZZ_MAX_LEN (default 4096), FUZZ_TIMEOUT (per input, default 10 s),
#   FUZZ_RSS_LIMIT_MB (default 2048), FUZZ_KEEP_GOING=1 (see above), FUZZ_SKIP_BUILD=1 to use
#   the binaries already built, FUZZ_MERGE=0 to leave the corpus as it is (the test command's
#   smoke run does, so running the tests changes no tracked file).
# Needs a swift.org toolchain (on macOS: `xcrun --toolchain swift`); Xcode's has no libFuzzer.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$ROOT/Fuzz"
SCRATCH="$FUZZ/.build"
TARGETS=(fuzz-dag-loader fuzz-search-filter fuzz-json fuzz-template fuzz-like-pattern)
MAX_LEN="${FUZZ_MAX_LEN:-4096}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-2048}"

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

if [[ "${1:-}" == "--list" ]]; then
    printf '%s\n' "${TARGETS[@]}"
    exit 0
fi
[[ $# -eq 2 ]] || usage
TARGET="$1"
SECONDS_PER_TARGET="$2"
[[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive integer, not '$SECONDS_PER_TARGET'" >&2; usage; }
if [[ "$TARGET" == all ]]; then
    RUN=("${TARGETS[@]}")
else
    known=0
    for t in "${TARGETS[@]}"; do if [[ "$t" == "$TARGET" ]]; then known=1; fi; done
    [[ $known -eq 1 ]] || { echo "fuzz.sh: unknown target '$TARGET'; one of: ${TARGETS[*]} all" >&2; exit 2; }
    RUN=("$TARGET")
fi

# The Swift runtime's backtracer would otherwise start on every trap and keep the pipe open;
# libFuzzer and ASan print the stack themselves.
export SWIFT_BACKTRACE=enable=no
# Symbolize ASan's stacks with the toolchain's llvm-symbolizer when there is one.
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]]; then
    SWIFT_BIN="$(dirname "$(command -v swift)")"
    if [[ -x "$SWIFT_BIN/llvm-symbolizer" ]]; then export ASAN_SYMBOLIZER_PATH="$SWIFT_BIN/llvm-symbolizer"; fi
fi

build() {
    local product_args=()
    # One target: only its product; `all`: every target of the package in one build.
    if [[ ${#RUN[@]} -eq 1 ]]; then product_args=(--product "${RUN[0]}"); fi
    # Build with the versions the main package resolved, when it has resolved them.
    if [[ -f "$ROOT/Package.resolved" && ( ! -f "$FUZZ/Package.resolved" || "$ROOT/Package.resolved" -nt "$FUZZ/Package.resolved" ) ]]; then
        cp "$ROOT/Package.resolved" "$FUZZ/Package.resolved"
    fi
    echo "fuzz.sh: building ${RUN[*]} (first build compiles the dependencies: several minutes)" >&2
    (cd "$FUZZ" && swift build -c debug --scratch-path "$SCRATCH" "${product_args[@]}" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library) >&2
}

count_files() { find "$1" -maxdepth 1 -type f ! -name '.*' "${@:2}" | wc -l | tr -d ' '; }
count_findings() { count_files "$1" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \); }

# fuzz TARGET: runs one target, prints its summary line; returns 1 if it found something.
fuzz() {
    local target="$1"
    local binary="$SCRATCH/debug/$target"
    local corpus="$FUZZ/Corpus/$target"
    local findings="$FUZZ/Findings/$target"
    local log="$findings/last-run.log"
    [[ -x "$binary" ]] || { echo "fuzz.sh: $binary is not built" >&2; return 1; }
    mkdir -p "$corpus" "$findings"
    local fresh
    fresh="$(mktemp -d "${TMPDIR:-/tmp}/flowline-fuzz-$target.XXXXXX")"
    FRESH="$fresh"
    local corpus_before findings_before
    corpus_before="$(count_files "$corpus")"
    findings_before="$(count_findings "$findings")"

    # New inputs land in the first directory ($fresh); the corpus is only read.
    local mode=()
    if [[ -f "$FUZZ/Dictionaries/$target.dict" ]]; then mode+=(-dict="$FUZZ/Dictionaries/$target.dict"); fi
    if [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]]; then mode+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
    local status=0
    "$binary" "${mode[@]}" -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout="$TIMEOUT" \
        -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 -artifact_prefix="$findings/" \
        "$fresh" "$corpus" >"$log" 2>&1 || status=$?
    local executions
    executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | head -n 1 | grep -o '[0-9]*$' || true)"
    if [[ -z "$executions" ]]; then
        # -fork=1 prints no final stats; its progress lines start with the executions so far.
        executions="$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#' || true)"
    fi

    # Keep only the new inputs that add coverage to the corpus (not with FUZZ_MERGE=0).
    if [[ "${FUZZ_MERGE:-1}" != 0 && "$(count_files "$fresh")" -gt 0 ]]; then
        "$binary" -merge=1 -max_len="$MAX_LEN" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
            -artifact_prefix="$findings/" "$corpus" "$fresh" >>"$log" 2>&1 \
            || echo "fuzz.sh: $target: merging the new inputs failed (see $log)" >&2
    fi
    rm -rf "$fresh"

    local corpus_after new_findings
    corpus_after="$(count_files "$corpus")"
    new_findings=$(( $(count_findings "$findings") - findings_before ))
    # A crash or a sanitizer report without an artifact file still counts.
    if [[ $status -ne 0 && $new_findings -eq 0 ]]; then new_findings=1; fi
    printf '%s: %s s, %s executions, corpus %s files (%+d), findings %d%s\n' \
        "$target" "$SECONDS_PER_TARGET" "${executions:-?}" "$corpus_after" $(( corpus_after - corpus_before )) \
        "$new_findings" "$([[ $new_findings -gt 0 ]] && echo " -> $findings (log: $log)")"
    [[ $new_findings -eq 0 ]]
}

FRESH=""
trap 'rm -rf "$FRESH"' EXIT
if [[ "${FUZZ_SKIP_BUILD:-0}" != 1 ]]; then build; fi

failed=0
for target in "${RUN[@]}"; do
    fuzz "$target" || failed=1
done
exit "$failed"
