#!/usr/bin/env bash
# How fast the tracking UI's pages answer with many runs: fills a fresh `flowline tracking serve`
# (release build, SQLite) with RUNS runs (default 10000) in one experiment, then times the runs
# table (first page, sorted by a metric, filtered, last page), a run page and a comparison,
# median of 10 requests each. Prints a table.
#
#   benchmarks/webui.sh            # RUNS=10000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
runs=${RUNS:-10000}
work=$(mktemp -d)
pids=()
trap stop_groups EXIT

build_flowline "$root"
venv="$cache/bench-pipeline-venv"
ensure_venv "$venv" normalizer requests
port=$(free_port)
setsid "$flowline" tracking serve --port "$port" --data-dir "$work/data" --log-level warning >"$work/tracking.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$port/health"
log "filling $runs runs"
"$venv/bin/python" "$root/benchmarks/webui/fill.py" "http://127.0.0.1:$port" "$runs" | python3 -c '
import json, sys
result = json.load(sys.stdin)
print(f"| tracking UI page, {result.pop(\"runs\"):,} runs in the experiment | median (ms) |")
print("|---|---|")
for key, value in result.items():
    print(f"| {key.removesuffix(\"_ms\").replace(\"_\", \" \")} | {value:.1f} |")
'
