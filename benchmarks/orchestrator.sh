#!/usr/bin/env bash
# Benchmark of the orchestrator against Apache Airflow 3.3.2 (LocalExecutor, SQLite, installed
# into a cache venv by this script), the same DAGs and the same REST workload in one run, printing
# a table with ratios:
#   - trigger-to-finish of a 3-task chain of `true` (median of CHAIN_RUNS runs), and the gap from an
#     upstream task's end to its downstream task's start (p50/p99, from the servers' own dates);
#   - a 1 -> N -> 1 fan-out of `true` tasks for each N in FANOUTS, in tasks/s, and CPU per task
#     (all processes; Flowline's scheduler process alone too);
#   - start to healthy; memory idle and after the load (RSS and PSS of all processes).
# Both run with their defaults: at most 32 task processes at once (Flowline --parallelism, Airflow
# core.parallelism) and 16 running tasks per DAG (max_active_tasks).
# The load generator is a Python requests session (benchmarks/orchestrator/workload.py), polling
# run state every 5 ms at first, backing off to 200 ms.
#
# A run that has not finished after RUN_TIMEOUT seconds (default 600) is measured on the tasks it
# finished so far (Airflow needs far longer than that for 1,000 tasks here).
#
#   benchmarks/orchestrator.sh                        # CHAIN_RUNS=5 FANOUTS="100 1000" RUN_TIMEOUT=600
#   CHAIN_RUNS=3 FANOUTS=100 benchmarks/orchestrator.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
chain_runs=${CHAIN_RUNS:-5}
read -r -a fanouts <<<"${FANOUTS:-100 1000}"
work=$(mktemp -d)
pids=()
trap stop_groups EXIT

build_flowline "$root"
venv="$cache/bench-airflow-venv"
ensure_venv "$venv" airflow "apache-airflow==3.3.2" requests

python3 "$root/benchmarks/orchestrator/make_dags.py" "$work/flowline-dags" "$work/airflow-dags" "${fanouts[@]}"
results="$work/results.txt"

# --- Flowline
port=$(free_port)
started=$(date +%s%N)
setsid "$flowline" server --port "$port" --data-dir "$work/flowline" --dags-folder "$work/flowline-dags" --no-examples \
  --parallelism 32 --log-level warning >"$work/flowline.log" 2>&1 &
group=$!
pids+=("$group")
wait_for "http://127.0.0.1:$port/health"
echo "flowline start_s=$(python3 -c "print(($(date +%s%N) - $started) / 1e9)")" >>"$results"
sleep 2
log "measuring flowline"
USERNAME=alice PASSWORD=bob SCHEDULER_PID=$group "$venv/bin/python" "$root/benchmarks/orchestrator/workload.py" "http://127.0.0.1:$port" "$group" "$chain_runs" "${fanouts[@]}" |
  python3 -c "import json,sys; print('flowline', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))" >>"$results"
kill -- "-$group" 2>/dev/null || true

# --- Airflow 3 (api-server, scheduler and dag-processor, as ANCHOR_SETUP.md describes)
port=$(free_port)
start_airflow "$venv" "$work" "$work/airflow-dags" "$port" 32
started=$airflow_started
group=${pids[-1]}
token=""
for _ in $(seq 1 1200); do
  token=$(curl -sf -X POST "http://127.0.0.1:$port/auth/token" -H 'Content-Type: application/json' -d '{"username":"admin","password":"admin"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null) || true
  if [ -n "$token" ] && curl -sf "http://127.0.0.1:$port/api/v2/monitor/health" | grep -q '"scheduler":{"status":"healthy"' &&
     curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v2/dags/chain"; then
    break
  fi
  sleep 0.1
done
echo "airflow start_s=$(python3 -c "print(($(date +%s%N) - $started) / 1e9)")" >>"$results"
for dag in chain "${fanouts[@]/#/fanout_}"; do
  until curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v2/dags/$dag"; do sleep 0.5; done
done
sleep 5
log "measuring airflow (a 1,000-task fan-out takes minutes here)"
USERNAME=admin PASSWORD=admin "$venv/bin/python" "$root/benchmarks/orchestrator/workload.py" "http://127.0.0.1:$port" "$group" "$chain_runs" "${fanouts[@]}" |
  python3 -c "import json,sys; print('airflow', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))" >>"$results"
kill -- "-$group" 2>/dev/null || true

python3 - "$results" "${fanouts[@]}" <<'PY'
import sys
values = {}
for line in open(sys.argv[1]):
    name, *pairs = line.split()
    for pair in pairs:
        key, value = pair.split("=", 1)
        values.setdefault(key, {})[name] = float(value)
rows = [("chain of 3 `true`, trigger to finish (s)", "chain_s", False),
        ("gap upstream end -> downstream start, p50 (ms)", "gap_p50_ms", False),
        ("gap upstream end -> downstream start, p99 (ms)", "gap_p99_ms", False)]
for n in sys.argv[2:]:
    rows += [(f"fan-out 1 -> {n} -> 1 (tasks/s)", f"fanout_{n}_tasks_per_s", True),
             (f"  tasks finished (of {int(n) + 2})", f"fanout_{n}_tasks_finished", None),
             (f"  CPU per task, all processes (ms)", f"fanout_{n}_cpu_ms_per_task", False),
             (f"  CPU per task, scheduler process (ms)", f"fanout_{n}_scheduler_cpu_ms_per_task", None)]
rows += [("server errors while polling (5xx answers)", "server_errors_while_polling", None),
         ("tasks that failed", "tasks_not_successful", None),
         (f"runs unfinished after RUN_TIMEOUT (measured so far)", "runs_unfinished_at_timeout", None),
         ("start to healthy (s)", "start_s", False), ("memory idle, RSS (MB)", "rss_idle_mb", False),
         ("memory idle, PSS (MB)", "pss_idle_mb", False), ("memory after the load, RSS (MB)", "rss_after_mb", False)]
print("\nOrchestrator benchmark: Flowline vs Apache Airflow 3.3.2 (LocalExecutor, SQLite), same run\n")
print(f"| {'measure':<48} | {'flowline':>10} | {'airflow':>10} | {'flowline is':>14} |")
print(f"|{'-'*50}|{'-'*12}|{'-'*12}|{'-'*16}|")
for label, key, higher in rows:
    ours, theirs = values.get(key, {}).get("flowline"), values.get(key, {}).get("airflow")
    if ours is None:
        continue
    if theirs is None or higher is None:
        print(f"| {label:<48} | {ours:>10.2f} | {theirs if theirs is not None else '-':>10} | {'-':>14} |")
        continue
    word = "faster" if higher or "(s)" in label or "(ms)" in label else "less"
    if not ours or not theirs:
        shown = "none finished" if higher and not theirs else "-"
    else:
        shown = f"{(ours / theirs if higher else theirs / ours):.1f}x {word}"
    print(f"| {label:<48} | {ours:>10.2f} | {theirs:>10.2f} | {shown:>14} |")
PY
