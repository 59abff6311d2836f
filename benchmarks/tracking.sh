#!/usr/bin/env bash
# Benchmark of the tracking server against MLflow's own server (mlflow 3.17.2, SQLite, default
# workers), the same HTTP workload on each in one run, printing a table with ratios:
#   - runs/log-metric requests/s and p50/p99 latency at 1, 8 and 32 concurrent clients (wrk with a
#     Lua script that logs a new step per request; wrk is not the bottleneck at these rates);
#   - a log-batch of 1,000 metrics; runs/search with a metric filter and metric order over RUNS runs;
#     paging through all of them (pages of 100); reading back a HISTORY-step metric history as the
#     client does (pages of 25,000), with a keep-alive Python session;
#   - resident memory (the server and all its processes) idle and after the load; cold start to /health.
# Durability: Flowline commits with SQLite WAL + synchronous=FULL (group commit); MLflow uses
# SQLite's rollback journal with synchronous=FULL. Both fsync every acknowledged write.
#
#   benchmarks/tracking.sh                       # RUNS=5000 HISTORY=100000 DURATION=10s
#   RUNS=1000 HISTORY=20000 DURATION=5s benchmarks/tracking.sh
#   ONLY=flowline benchmarks/tracking.sh         # Flowline's raw figures alone, while tuning
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
duration=${DURATION:-10s}
runs=${RUNS:-5000}
history=${HISTORY:-100000}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

ensure_wrk
build_flowline "$root"
venv="$cache/bench-mlflow-venv"
ensure_venv "$venv" mlflow "mlflow==3.17.2" requests

# Starts a server in its own process group; sets server_pid and start_ms (spawn to /health).
start_server() {  # NAME PORT COMMAND...
  local name=$1 port=$2; shift 2
  local started
  started=$(date +%s%N)
  setsid "$@" >"$work/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "http://127.0.0.1:$port/health"
  start_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}

# POSTs JSON to the tracking API and prints one field of the answer.
post_json() {  # URL PATH BODY PYTHON-EXPRESSION-ON-d
  curl -sf -X POST -H 'Content-Type: application/json' "$1/api/2.0/mlflow$2" -d "$3" | python3 -c "import json,sys; d=json.load(sys.stdin); print($4)"
}

# Measures one server: prints "name key=value ..." lines.
measure() {  # NAME PID PORT START_MS
  local name=$1 pid=$2 port=$3 start_ms=$4 url="http://127.0.0.1:$3"
  echo "$name cold_start_ms=$start_ms"
  local experiment run
  experiment=$(post_json "$url" /experiments/create "{\"name\": \"wrk-$RANDOM$RANDOM\"}" 'd["experiment_id"]')
  for clients in 1 8 32; do
    run=$(post_json "$url" /runs/create "{\"experiment_id\": \"$experiment\", \"start_time\": 0}" 'd["run"]["info"]["run_id"]')
    local threads=$(( clients < 2 ? 1 : 2 ))
    read -r rps p50 p99 total < <(RUN_ID=$run wrk -t"$threads" -c"$clients" -d"$duration" --latency -s "$root/benchmarks/tracking/log_metric.lua" "$url" | wrk_summary)
    echo "$name log_metric_${clients}_rps=$rps log_metric_${clients}_p50=$p50 log_metric_${clients}_p99=$p99"
  done
  "$venv/bin/python" "$root/benchmarks/tracking/workload.py" "$url" "$pid" "$runs" "$history" |
    python3 -c "import json,sys; print('$name', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))"
}

results="$work/results.txt"
# This machine's fsync, where the servers keep their databases: the durable bound of a write.
read -r fsync_ms _ < <(python3 "$root/benchmarks/report/fsync_probe.py" "$work")
echo "machine fsync_ms=$fsync_ms" >>"$results"
port=$(free_port)
start_server flowline "$port" "$flowline" tracking serve --port "$port" --data-dir "$work/flowline" --log-level warning
measure flowline "$server_pid" "$port" "$start_ms" >>"$results"
kill -- "-$server_pid" 2>/dev/null || true

if [ "${ONLY:-}" = flowline ]; then cat "$results"; exit 0; fi
port=$(free_port)
start_server mlflow "$port" "$venv/bin/mlflow" server --host 127.0.0.1 --port "$port" \
  --backend-store-uri "sqlite:///$work/mlflow.db" --artifacts-destination "$work/mlflow-artifacts"
sleep 5  # let its workers settle before measuring idle memory
measure mlflow "$server_pid" "$port" "$start_ms" >>"$results"
kill -- "-$server_pid" 2>/dev/null || true

python3 - "$results" "$duration" "$runs" "$history" <<'PY'
import sys
values = {}
for line in open(sys.argv[1]):
    name, *pairs = line.split()
    for pair in pairs:
        key, value = pair.split("=", 1)
        values.setdefault(key, {})[name] = float(value)
rows = [
    ("log-metric, 1 client (req/s)", "log_metric_1_rps", True), ("  p99 latency (ms)", "log_metric_1_p99", False),
    ("log-metric, 8 clients (req/s)", "log_metric_8_rps", True), ("  p99 latency (ms)", "log_metric_8_p99", False),
    ("log-metric, 32 clients (req/s)", "log_metric_32_rps", True), ("  p50 latency (ms)", "log_metric_32_p50", False),
    ("  p99 latency (ms)", "log_metric_32_p99", False),
    ("log-batch of 1,000 metrics (ms)", "log_batch_1000_ms", False),
    (f"populate {sys.argv[3]} runs, 16 threads (s)", "populate_runs_s", False),
    (f"runs/search, filter + order over {sys.argv[3]} runs (ms)", "search_ms", False),
    (f"page through all {sys.argv[3]} runs, 100 per page (s)", "page_all_runs_s", False),
    (f"read a {sys.argv[4]}-step metric history (s)", "history_read_s", False),
    ("memory idle, RSS of all processes (MB)", "rss_idle_mb", False),
    ("memory after the load (MB)", "rss_after_mb", False),
    ("cold start to /health (ms)", "cold_start_ms", False),
]
print(f"\nTracking benchmark: Flowline vs MLflow 3.17.2 (SQLite), same run, {sys.argv[2]} per wrk run\n")
print(f"| {'measure':<52} | {'flowline':>10} | {'mlflow':>10} | {'flowline is':>14} |")
print(f"|{'-'*54}|{'-'*12}|{'-'*12}|{'-'*16}|")
for label, key, higher_is_better in rows:
    ours, theirs = values.get(key, {}).get("flowline"), values.get(key, {}).get("mlflow")
    if ours is None or theirs is None:
        continue
    if higher_is_better:
        ratio = f"{ours / theirs:.1f}x faster" if theirs else "-"
    else:
        ratio = f"{theirs / ours:.1f}x {'faster' if 'ms' in label or '(s)' in label else 'less'}" if ours else "-"
    print(f"| {label:<52} | {ours:>10.1f} | {theirs:>10.1f} | {ratio:>14} |")
checks = {k: values.get(k, {}) for k in ("paged_runs", "history_points")}
print(f"\nChecks: paged runs {checks['paged_runs']}, history points {checks['history_points']}")
fsync = values.get("fsync_ms", {}).get("machine")
if fsync:
    print(f"\nThis machine's fsync (4 KiB append, median of 200): {fsync:.2f} ms.")
    for clients in (1, 8, 32):
        rate = values.get(f"log_metric_{clients}_rps", {}).get("flowline")
        if rate:
            bound = clients / (fsync / 1000)
            print(f"log-metric, {clients} client(s): durable bound {bound:.0f} req/s (clients / fsync time); "
                  f"Flowline reaches {rate / bound * 100:.0f} % of it.")
    batch = values.get("log_batch_1000_ms", {}).get("flowline")
    if batch:
        print(f"log-batch of 1,000 metrics: {batch:.1f} ms = {batch / fsync:.1f} fsyncs of this machine (goal: at most 2).")
PY
