# Shared helpers of the benchmark scripts (sourced, not run).

log() { echo "[bench] $*" >&2; }

# Installs wrk from Debian's packages when it is missing (as root), else explains.
ensure_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing wrk from Debian's packages"
    (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }) >&2
  else
    echo "wrk is needed: sudo apt-get install wrk" >&2
    exit 1
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until URL answers 2xx (up to 120 s).
wait_for() {
  for _ in $(seq 1 1200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2
  exit 1
}

# Reads wrk --latency output on stdin; prints "req/s p50_ms p99_ms requests"; fails on non-2xx answers.
wrk_summary() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { total = $1 } /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { errors = $4 }
    END { if (errors > 0) { print "non-2xx responses: " errors > "/dev/stderr"; exit 1 }
          printf "%.0f %.2f %.2f %d\n", rps, p50, p99, total }'
}

# CPU ticks (user + system) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Builds flowline in release mode; sets `flowline` to the binary.
build_flowline() {  # ROOT
  if [ -n "${FLOWLINE:-}" ] && [ -x "$FLOWLINE" ]; then
    flowline=$FLOWLINE  # already built (benchmarks/all.sh builds once)
    return
  fi
  log "building flowline (release)"
  (cd "$1" && swift build -c release --product flowline >&2)
  flowline="$1/.build/release/flowline"
}

# Creates VENV with PACKAGES unless it already has COMMAND.
ensure_venv() {  # VENV COMMAND PACKAGES...
  local venv=$1 command=$2; shift 2
  if [ ! -x "$venv/bin/$command" ]; then
    log "installing the reference ($*) into $venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q "$@" >&2
  fi
}

# Process groups started with setsid (their leaders' pids in the array `pids`): killed on exit,
# and the work folder `work` removed. Use: pids=(); trap stop_groups EXIT
stop_groups() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  rm -rf "$work"
}

# The start of one measurement script (benchmarks/workers/*.sh): a work folder `work` in
# PARENT_WORK, the array `pids` of process groups it starts, and on exit those stopped, the folder
# removed and, after a failure, the last lines of each `$work/*.log` on standard error.
begin_measurement() {
  work=$(mktemp -d -p "${PARENT_WORK:-/tmp}")
  pids=()
  trap end_measurement EXIT
  trap 'exit 143' TERM INT
}

end_measurement() {
  local status=$?
  if [ "$status" != 0 ]; then
    for file in "$work"/*.log; do [ -f "$file" ] && { echo "--- ${file##*/} (last lines)"; tail -n 20 "$file"; } >&2; done
  fi
  stop_groups
}

# Configures Apache Airflow 3 (LocalExecutor and SQLite unless EXECUTOR and DATABASE_URL say
# otherwise, simple auth admin/admin) in WORK/airflow with DAGS as its DAGs folder and its API on
# PORT, migrates its database, and starts its api-server, scheduler and dag-processor as one process
# group (added to `pids`); `airflow_started` is when. The AIRFLOW__* settings stay exported, so
# processes started afterwards from the same shell (Celery workers) share them.
start_airflow() {  # VENV WORK DAGS PORT PARALLELISM [EXECUTOR [DATABASE_URL]]
  local venv=$1 work=$2 dags=$3 port=$4 parallelism=$5 executor=${6:-LocalExecutor} database=${7:-sqlite:///$2/airflow/airflow.db}
  export AIRFLOW_HOME="$work/airflow" AIRFLOW__CORE__DAGS_FOLDER="$dags"
  export AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__CORE__EXECUTOR=$executor AIRFLOW__CORE__PARALLELISM=$parallelism
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$database"
  export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$port AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$work/airflow/passwords.json"
  AIRFLOW__API_AUTH__JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  export AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
  mkdir -p "$AIRFLOW_HOME" "$dags"
  echo '{"admin": "admin"}' >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
  log "migrating Airflow's database"
  "$venv/bin/airflow" db migrate >"$work/airflow-migrate.log" 2>&1
  airflow_started=$(date +%s%N)
  setsid bash -c "'$venv/bin/airflow' api-server --host 127.0.0.1 --port $port & '$venv/bin/airflow' scheduler --skip-serve-logs & '$venv/bin/airflow' dag-processor & wait" \
    >"$work/airflow.log" 2>&1 &
  pids+=("$!")
  disown
}

# Prints an access token of Airflow's API on PORT once the DAG DAG_ID is loaded (up to 4 minutes).
airflow_token_when_loaded() {  # PORT DAG_ID
  local port=$1 dag=$2 token=""
  for _ in $(seq 1 1200); do
    token=$(curl -sf -X POST "http://127.0.0.1:$port/auth/token" -H 'Content-Type: application/json' -d '{"username":"admin","password":"admin"}' |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null) || true
    if [ -n "$token" ] && curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v2/dags/$dag"; then
      echo "$token"
      return 0
    fi
    sleep 0.2
  done
  echo "Airflow did not load the DAG $dag" >&2
  return 1
}
