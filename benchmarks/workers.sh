#!/usr/bin/env bash
# Benchmark of Flowline's remote workers against the original stack's executor: Apache Airflow
# 3.3.2 with the CeleryExecutor (Debian's redis-server as the broker, two `airflow celery worker`
# processes), both on one private PostgreSQL cluster (scripts/postgres.sh, fsync on), same run,
# printing a Markdown table with ratios:
#   - a 1 -> FANOUT -> 1 fan-out of `true` in tasks/s, and CPU per task (all processes of the
#     system: servers, workers and their tasks, broker, PostgreSQL's postmaster and backends);
#   - trigger-to-finish of a 10-task chain of `true` (median of CHAIN_RUNS runs after a warm-up),
#     and the gap from an upstream task's end to its downstream task's start (p50/p99 over the
#     chain's edges, from the servers' own task-instance dates);
#   - the RSS of one idle worker's process tree (PSS too, below the table).
# Flowline runs `flowline server --database … --no-local-executor` with 1, 2 and 4 `flowline worker`
# processes (WORKER_COUNTS). Every worker of either system has CONCURRENCY slots (default 8), so the
# 2-worker Flowline row has the reference's slots. The PostgreSQL commit cost of this machine is
# printed next to the table (a psql loop of single-row INSERT + COMMIT, and pg_test_fsync).
# The load generator is benchmarks/workers/workload.py (Airflow's REST API v2, which both speak).
# When the build has no `flowline worker` command (`flowline worker --help` fails), the table says so
# and the reference is measured all the same.
#
# Installs what it needs: Airflow 3.3.2 with its Celery provider into .cache/bench-airflow-celery-venv
# (pip, "apache-airflow[celery]==3.3.2" with celery < 5.7, psycopg[binary] and asyncpg),
# redis-server and postgresql from Debian's packages (as root). Every server listens on 127.0.0.1
# and a free port; everything started is stopped at exit.
#
#   benchmarks/workers.sh                  # FANOUT=1000 WORKER_COUNTS="1 2 4" CHAIN_RUNS=3 CONCURRENCY=8
#   FANOUT=200 WORKER_COUNTS="1 2" benchmarks/workers.sh        # a shorter run
#   SYSTEMS=celery benchmarks/workers.sh   # the reference alone (no Swift build); SYSTEMS=flowline: Flowline alone
#   FLOWLINE=path/to/flowline benchmarks/workers.sh              # a binary already built
# Also: RUN_TIMEOUT (s, default 600: a run not finished by then is measured on the tasks finished so
# far), CELERY_WORKERS (default 2), PG_TEST_FSYNC=0 to skip pg_test_fsync (~20 s).
# A full run takes ~15 minutes plus the build: the reference's 1,000-task fan-out runs into
# RUN_TIMEOUT on a busy 2-core machine (one run here finished 523 of 1,002 tasks in 600 s), and its
# row is then measured on the tasks finished, as a note under the table says.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
fanout=${FANOUT:-1000}
export CHAIN_RUNS=${CHAIN_RUNS:-3} CONCURRENCY=${CONCURRENCY:-8} CELERY_WORKERS=${CELERY_WORKERS:-2} RUN_TIMEOUT=${RUN_TIMEOUT:-600}
read -r -a worker_counts <<<"${WORKER_COUNTS:-1 2 4}"
read -r -a systems <<<"${SYSTEMS:-flowline celery}"
wants() { [[ " ${systems[*]} " == *" $1 "* ]]; }

work=$(mktemp -d)
pids=()
pg_dir=""
child=""
cleanup() {
  [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
  stop_groups
  [ -n "$pg_dir" ] && "$root/scripts/postgres.sh" stop "$pg_dir"
  return 0
}
trap cleanup EXIT
trap 'exit 143' TERM INT
results="$work/results.txt"
: >"$results"

# Runs a measurement script (workers/celery.sh, workers/flowline.sh) as a child, so that its failure
# is reported in the table and the other measurements still run. Args: NAME WORKERS SCRIPT
measure() {
  local name=$1 count=$2 script=$3 status=0
  bash "$script" >"$work/line.txt" &
  child=$!
  wait "$child" || status=$?
  child=""
  if [ "$status" = 0 ] && [ -s "$work/line.txt" ]; then
    cat "$work/line.txt" >>"$results"
  else
    log "$name with $count workers failed (exit $status)"
    echo "$name $count failed=$status" >>"$results"
  fi
}

flowline=""
if wants flowline; then
  if [ -n "${FLOWLINE:-}" ]; then flowline=$FLOWLINE; else build_flowline "$root"; fi
  if ! "$flowline" worker --help >/dev/null 2>&1; then
    log "flowline worker not available in this build: measuring the reference only"
    echo "flowline - unavailable=1" >>"$results"
    flowline=""
  fi
fi
venv="$cache/bench-airflow-celery-venv"
# Celery 5.7 dropped celery.backends.database.retry, which the Celery provider (3.26.0) imports, so
# celery stays below 5.7. Airflow on PostgreSQL wants psycopg (3, its default driver, also for the
# Celery result backend) and asyncpg (its async engine).
pins=("apache-airflow[celery]==3.3.2" "celery[redis]>=5.5,<5.7" "psycopg[binary]" asyncpg requests)
ensure_venv "$venv" airflow "${pins[@]}"
"$venv/bin/python" -c "import psycopg, asyncpg, requests; from celery.backends.database import retry" 2>/dev/null ||
  "$venv/bin/pip" install -q "${pins[@]}" >&2
if wants celery && ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "installing redis-server from Debian's packages"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }) >&2
  else
    echo "redis-server is needed: sudo apt-get install redis-server" >&2
    exit 1
  fi
fi

dags_flowline="$work/flowline-dags" dags_airflow="$work/airflow-dags"
python3 "$root/benchmarks/workers/make_dags.py" "$dags_flowline" "$dags_airflow" "$fanout"

# --- PostgreSQL: one private cluster, a database per measurement
read -r pg_dir pg_url < <("$root/scripts/postgres.sh")
[ -n "${pg_url:-}" ] || { echo "PostgreSQL did not start" >&2; exit 1; }
export POSTMASTER_PID PARENT_WORK=$work PYTHON="$venv/bin/python"
POSTMASTER_PID=$(head -1 "$pg_dir/data/postmaster.pid")
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$pg_url" "$@"; }

log "measuring PostgreSQL's commit cost"
commits=500
psql_ -c 'CREATE TABLE commit_probe (id integer, at timestamptz DEFAULT now())'
python3 -c "for i in range($commits): print(f'INSERT INTO commit_probe (id) VALUES ({i});')" >"$work/inserts.sql"
started=$(date +%s%N)
psql_ -f "$work/inserts.sql"
synchronous=$(date +%s%N)
{ echo 'SET synchronous_commit = off;'; cat "$work/inserts.sql"; } | psql_ -f -
asynchronous=$(date +%s%N)
psql_ -c 'DROP TABLE commit_probe'
line="postgres - commits=$commits commit_ms=$(python3 -c "print(($synchronous - $started) / 1e6 / $commits)")"
line+=" async_commit_ms=$(python3 -c "print(($asynchronous - $synchronous) / 1e6 / $commits)")"
line+=" wal_sync_method=$(psql_ -At -c 'SHOW wal_sync_method')"
if [ "${PG_TEST_FSYNC:-1}" != 0 ] && [ -x "$pg_bin/pg_test_fsync" ]; then
  # The test file sits next to the cluster's data, on the same file system.
  "$pg_bin/pg_test_fsync" -s 1 -f "$pg_dir/fsync.test" >"$work/pg_test_fsync.txt" 2>&1
  rm -f "$pg_dir/fsync.test"
  fdatasync=$(awk '$1 == "fdatasync" && $5 == "usecs/op" { print $4; exit }' "$work/pg_test_fsync.txt")
  [ -n "$fdatasync" ] && line+=" fdatasync_us=$fdatasync"
fi
echo "$line" >>"$results"

# --- Flowline: one server without local slots and N workers, a fresh database each
if [ -n "$flowline" ]; then
  export FLOWLINE=$flowline DAGS=$dags_flowline
  for count in "${worker_counts[@]}"; do
    psql_ -c "CREATE DATABASE flowline_$count"
    DATABASE_URL="${pg_url%/*}/flowline_$count" WORKERS=$count measure flowline "$count" "$root/benchmarks/workers/flowline.sh"
  done
fi

# --- Airflow 3.3.2 + CeleryExecutor (api-server, scheduler, dag-processor, Redis, Celery workers)
if wants celery; then
  psql_ -c "CREATE DATABASE airflow"
  VENV=$venv DAGS=$dags_airflow DATABASE_URL="${pg_url%/*}/airflow" measure celery "$CELERY_WORKERS" "$root/benchmarks/workers/celery.sh"
fi

python3 "$root/benchmarks/workers/report.py" "$results" "$fanout" "$CONCURRENCY" "$CELERY_WORKERS"
