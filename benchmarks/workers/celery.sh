#!/usr/bin/env bash
# One measurement of the reference for benchmarks/workers.sh (run by it, not alone): a private
# redis-server (127.0.0.1, free port, no persistence), Apache Airflow 3.3.2's api-server, scheduler
# and dag-processor with the CeleryExecutor on the PostgreSQL database DATABASE_URL, and
# CELERY_WORKERS `airflow celery worker` processes of CONCURRENCY slots each; then the workload
# (workers/workload.py). Prints one line: `celery WORKERS key=value …`. Stops everything it started.
# Env: VENV (Airflow's), DATABASE_URL (postgresql://user@host:port/db), POSTMASTER_PID, DAGS,
# CONCURRENCY, CELERY_WORKERS, CHAIN_RUNS, RUN_TIMEOUT, PARENT_WORK.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/benchmarks/lib.sh"
begin_measurement

# --- Redis: the Celery broker
redis_port=$(free_port)
setsid redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" \
  --protected-mode yes >"$work/redis.log" 2>&1 &
redis=$!
pids+=("$redis")
disown
for _ in $(seq 1 100); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done

# --- Airflow: api-server, scheduler, dag-processor (one process group), then the Celery workers
database=${DATABASE_URL#postgresql://}
export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$redis_port/0"
export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql+psycopg://$database"
export AIRFLOW__CELERY__WORKER_CONCURRENCY=$CONCURRENCY
port=$(free_port)
start_airflow "$VENV" "$work" "$DAGS" "$port" $((CELERY_WORKERS * CONCURRENCY)) CeleryExecutor "postgresql+psycopg://$database"
group=${pids[-1]}
workers=()
for i in $(seq 1 "$CELERY_WORKERS"); do
  setsid "$VENV/bin/airflow" celery worker --celery-hostname "bench$i@%h" --concurrency "$CONCURRENCY" --skip-serve-logs \
    >"$work/worker-$i.log" 2>&1 &
  workers+=("$!")
  pids+=("$!")
  disown
done
for i in $(seq 1 "$CELERY_WORKERS"); do
  for _ in $(seq 1 1800); do
    grep -q ' ready\.' "$work/worker-$i.log" && break
    kill -0 "${workers[$((i - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  grep -q ' ready\.' "$work/worker-$i.log" || { echo "Celery worker $i did not start" >&2; exit 1; }
done
for _ in $(seq 1 1800); do
  curl -sf "http://127.0.0.1:$port/api/v2/monitor/health" | grep -q '"scheduler":{"status":"healthy"' && break
  sleep 0.1
done
airflow_token_when_loaded "$port" chain_10 >/dev/null
airflow_token_when_loaded "$port" fanout >/dev/null
sleep 5  # let start-up work settle before the idle memory and the CPU are measured
log "measuring Airflow + Celery ($CELERY_WORKERS workers x $CONCURRENCY)"
SYSTEM_PIDS="$redis $group ${workers[*]} $POSTMASTER_PID" WORKER_PID=${workers[0]} USERNAME=admin PASSWORD=admin \
  "$VENV/bin/python" "$root/benchmarks/workers/workload.py" "http://127.0.0.1:$port" "$CHAIN_RUNS" |
  python3 -c "import json,sys; print('celery $CELERY_WORKERS', ' '.join(f'{k}={v}' for k, v in json.load(sys.stdin).items()))"
