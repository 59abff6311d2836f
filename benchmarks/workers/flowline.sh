#!/usr/bin/env bash
# One Flowline measurement for benchmarks/workers.sh (run by it, not alone): `flowline server
# --database DATABASE_URL --no-local-executor` and WORKERS `flowline worker` processes of
# CONCURRENCY slots each, authenticated with a token from `flowline workers token create`; then the
# workload (workers/workload.py). Prints one line: `flowline WORKERS key=value …`. Stops everything
# it started.
# Env: FLOWLINE (the binary), PYTHON (with requests), DATABASE_URL, POSTMASTER_PID, DAGS, WORKERS,
# CONCURRENCY, CHAIN_RUNS, RUN_TIMEOUT, PARENT_WORK.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/benchmarks/lib.sh"
begin_measurement

port=$(free_port)
url="http://127.0.0.1:$port"
setsid "$FLOWLINE" server --database "$DATABASE_URL" --data-dir "$work/server" --host 127.0.0.1 --port "$port" \
  --no-local-executor --parallelism $((WORKERS * CONCURRENCY)) --dags-folder "$DAGS" --no-examples --log-level warning \
  >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
disown
wait_for "$url/health"

token=$(cd "$work" && "$FLOWLINE" workers token create bench --database "$DATABASE_URL" --data-dir "$work/cli" 2>"$work/token.log" |
  grep -o 'flw_[^[:space:]]*' | tail -1) || true
[ -n "$token" ] || { echo "flowline workers token create printed no token" >&2; exit 1; }
workers=()
for i in $(seq 1 "$WORKERS"); do
  FLOWLINE_WORKER_TOKEN=$token setsid "$FLOWLINE" worker --server "$url" --queues default --concurrency "$CONCURRENCY" \
    --name "bench-$i" --data-dir "$work/worker-$i" --dags-folder "$DAGS" >"$work/worker-$i.log" 2>&1 &
  workers+=("$!")
  pids+=("$!")
  disown
done

# Ready when the server lists every worker as live and has loaded both DAGs.
admin=$(curl -sf -X POST "$url/auth/token" -H 'Content-Type: application/json' -d '{"username":"alice","password":"bob"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
live=0
for _ in $(seq 1 300); do
  live=$(curl -sf -H "Authorization: Bearer $admin" "$url/api/v2/workers" | python3 -c '
import json, sys
answer = json.load(sys.stdin)
workers = answer.get("workers", []) if isinstance(answer, dict) else answer
print(sum(1 for w in workers if w.get("state") not in ("offline", "unknown")))' 2>/dev/null) || live=0
  [ "${live:-0}" -ge "$WORKERS" ] && break
  sleep 0.1
done
[ "${live:-0}" -ge "$WORKERS" ] || log "warning: GET /api/v2/workers lists ${live:-0} live workers of $WORKERS after 30 s; measuring anyway"
for worker in "${workers[@]}"; do kill -0 "$worker" 2>/dev/null || { echo "a flowline worker exited" >&2; exit 1; }; done
for dag in chain_10 fanout; do
  for _ in $(seq 1 600); do curl -sf -o /dev/null -H "Authorization: Bearer $admin" "$url/api/v2/dags/$dag" && break; sleep 0.1; done
done
sleep 2
log "measuring Flowline ($WORKERS workers x $CONCURRENCY)"
SYSTEM_PIDS="$server ${workers[*]} $POSTMASTER_PID" WORKER_PID=${workers[0]} USERNAME=alice PASSWORD=bob \
  "$PYTHON" "$root/benchmarks/workers/workload.py" "$url" "$CHAIN_RUNS" |
  python3 -c "import json,sys; print('flowline $WORKERS', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))"
