#!/usr/bin/env bash
# Benchmark of the orchestrator against Apache Airflow 3.3.2 (LocalExecutor, SQLite, installed
# into a cache venv by this script), the same DAGs and the same REST workload in one run, printing
# a table with ratios:
#   - trigger-to-finish of a 3-task chain of `true` (median of CHAIN_RUNS runs), and the gap from an
#     upstream task's end to its downstream task's start (p50/p99, from the servers' own dates);
#   - a 1 -> N -> 1 fan-out of `true` tasks for each N in FANOUTS, in tasks/s, and CPU per task
#     (all processes; Flowline's scheduler process alone too);
#   - start to healthy; memory idle and after the load (RSS and PSS of all processes);
#   - the bound a fan-out of `true` cannot beat here: how fast this machine spawns and reaps
#     /bin/true with the parallelism a DAG's fan-out gets (16 at once, max_active_tasks), measured
#     in the same run (xargs -P 16), and Flowline's fan-out rate as a share of it.
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
#   DATABASE=postgresql benchmarks/orchestrator.sh    # both on one private PostgreSQL (scripts/postgres.sh)
#   SYSTEMS=flowline benchmarks/orchestrator.sh       # Flowline alone (no ratios), while tuning
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
chain_runs=${CHAIN_RUNS:-5}
read -r -a fanouts <<<"${FANOUTS:-100 1000}"
database=${DATABASE:-sqlite}
systems=${SYSTEMS:-flowline airflow}
work=$(mktemp -d)
pids=()
pg_dir=""
finish() {
  stop_groups
  [ -z "$pg_dir" ] || "$root/scripts/postgres.sh" stop "$pg_dir"
}
trap finish EXIT

build_flowline "$root"
venv="$cache/bench-airflow-venv"
ensure_venv "$venv" airflow "apache-airflow==3.3.2" requests
flowline_database=()
airflow_database=""
if [ "$database" = postgresql ]; then
  "$venv/bin/python" -c "import psycopg" 2>/dev/null || "$venv/bin/pip" install -q "psycopg[binary]" >&2
  read -r pg_dir pg_url < <("$root/scripts/postgres.sh")
  [ -n "${pg_url:-}" ] || { echo "PostgreSQL did not start" >&2; exit 1; }
  psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE DATABASE flowline" -c "CREATE DATABASE airflow"
  flowline_database=(--database "${pg_url%/*}/flowline")
  airflow_database="postgresql+psycopg://${pg_url#postgresql://}"
  airflow_database="${airflow_database%/*}/airflow"
elif [ "$database" != sqlite ]; then
  echo "DATABASE must be sqlite or postgresql" >&2; exit 2
fi

# The spawn bound: /bin/true spawned and reaped 16 at a time, as many as the largest fan-out.
bound_count=$(printf '%s\n' "${fanouts[@]}" | sort -n | tail -1)
[ "$bound_count" -ge 1000 ] || bound_count=1000
bound_started=$(date +%s%N)
seq "$bound_count" | xargs -P 16 -n 1 /bin/true
spawn_bound=$(python3 -c "print($bound_count / (($(date +%s%N) - $bound_started) / 1e9))")

python3 "$root/benchmarks/orchestrator/make_dags.py" "$work/flowline-dags" "$work/airflow-dags" "${fanouts[@]}"
results="$work/results.txt"

echo "bound spawn_true_per_s=$spawn_bound" >>"$results"

# --- Flowline
if [[ " $systems " == *" flowline "* ]]; then
port=$(free_port)
started=$(date +%s%N)
setsid "$flowline" server --port "$port" --data-dir "$work/flowline" --dags-folder "$work/flowline-dags" --no-examples \
  "${flowline_database[@]}" --parallelism 32 --log-level warning >"$work/flowline.log" 2>&1 &
group=$!
pids+=("$group")
wait_for "http://127.0.0.1:$port/health"
echo "flowline start_s=$(python3 -c "print(($(date +%s%N) - $started) / 1e9)")" >>"$results"
sleep 2
log "measuring flowline"
USERNAME=alice PASSWORD=bob SCHEDULER_PID=$group "$venv/bin/python" "$root/benchmarks/orchestrator/workload.py" "http://127.0.0.1:$port" "$group" "$chain_runs" "${fanouts[@]}" |
  python3 -c "import json,sys; print('flowline', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))" >>"$results"
kill -- "-$group" 2>/dev/null || true
fi

# --- Airflow 3 (api-server, scheduler and dag-processor, as ANCHOR_SETUP.md describes)
if [[ " $systems " == *" airflow "* ]]; then
port=$(free_port)
start_airflow "$venv" "$work" "$work/airflow-dags" "$port" 32 LocalExecutor ${airflow_database:+"$airflow_database"}
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
fi

python3 - "$results" "$database" "${fanouts[@]}" <<'PY'
import sys
database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[sys.argv[2]]
del sys.argv[2]
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
print(f"\nOrchestrator benchmark: Flowline vs Apache Airflow 3.3.2 (LocalExecutor, {database}), same run\n")
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
bound = values.get("spawn_true_per_s", {}).get("bound")
if bound:
    print(f"\nSpawn bound: this machine spawns and reaps /bin/true at {bound:.0f}/s, 16 at a time (xargs -P 16).")
    for n in sys.argv[2:]:
        ours = values.get(f"fanout_{n}_tasks_per_s", {}).get("flowline")
        if ours:
            print(f"Flowline's 1 -> {n} -> 1 fan-out runs at {ours / bound * 100:.0f} % of it (goal: at least 70 %).")
PY
