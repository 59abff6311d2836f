#!/usr/bin/env bash
# Benchmark of the example ML pipeline: trigger-to-registered-model wall time of the whole
# alpha_orchestrated_experiment DAG (samples fetched and validated, model trained at a commit and
# logged, evaluated, registered, alias decided), through the REST API, RUNS runs per commit after
# one warm-up run:
#   - Flowline: `flowline up` on its embedded default (SQLite, local folders), for the example's
#     linear and cubic commits (Flowline's trainer) and its python commit (scikit-learn and the
#     mlflow client, in the same venv Airflow uses);
#   - the original stack's way, unless SKIP_AIRFLOW=1: Apache Airflow 3.3.2 (LocalExecutor, SQLite),
#     MLflow 3.17.2's server (SQLite, proxied artifacts) and the FastAPI samples service, running
#     the same DAG written for Airflow (benchmarks/pipeline/airflow_pipeline.py) on the python commit.
# Then the training benchmark (benchmarks/training.sh), unless SKIP_TRAINING=1.
#
#   benchmarks/pipeline.sh            # RUNS=5
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
runs=${RUNS:-5}
work=$(mktemp -d)
pids=()
trap stop_groups EXIT

build_flowline "$root"
airflow_venv="$cache/bench-airflow-venv"
ensure_venv "$airflow_venv" airflow "apache-airflow==3.3.2" requests
# The python commit's training needs the mlflow client (with its sklearn flavor) and scikit-learn.
"$airflow_venv/bin/python" -c "import mlflow.sklearn, skops, sklearn" 2>/dev/null ||
  "$airflow_venv/bin/pip" install -q "mlflow-skinny==3.17.2" scikit-learn pandas skops >&2
python="$airflow_venv/bin/python"

# --- Flowline
setsid "$flowline" up --data-dir "$work/data" --samples-port 0 --tracking-port 0 --orchestrator-port 0 --serving-port 0 \
  --python "$python" --log-level warning >"$work/up.log" 2>&1 &
pids+=("$!")
disown
for _ in $(seq 1 300); do grep -q "Press Ctrl-C" "$work/up.log" && break; sleep 0.1; done
url() { grep -oP "^  $1 +\Khttp://[0-9.:]+" "$work/up.log"; }
commit() { grep -oP "^  $1 +\K[0-9a-f]{40}" "$work/up.log"; }
linear=$(commit linear) cubic=$(commit cubic) pythoncommit=$(commit python)
log "measuring flowline: $runs runs per commit"
"$python" "$root/benchmarks/pipeline/workload.py" "$(url orchestrator)" "$(url tracking)" "$runs" alice bob "$linear" "$cubic" "$pythoncommit" >"$work/flowline.json"

# --- Airflow 3 + MLflow + FastAPI, on the same example repository's python commit
if [ "${SKIP_AIRFLOW:-0}" != 1 ]; then
  mlflow_port=$(free_port) samples_port=$(free_port) port=$(free_port)
  mlflow_venv="$cache/bench-mlflow-venv"
  ensure_venv "$mlflow_venv" mlflow "mlflow==3.17.2" requests
  setsid "$mlflow_venv/bin/mlflow" server --host 127.0.0.1 --port "$mlflow_port" \
    --backend-store-uri "sqlite:///$work/mlflow.db" --artifacts-destination "$work/mlflow-artifacts" >"$work/mlflow.log" 2>&1 &
  pids+=("$!")
  disown
  fastapi_venv="$cache/bench-fastapi-venv"
  ensure_venv "$fastapi_venv" uvicorn fastapi "uvicorn[standard]" numpy
  setsid "$fastapi_venv/bin/uvicorn" --app-dir "$root/benchmarks/reference" "samples_fastapi:original" --host 127.0.0.1 --port "$samples_port" \
    --log-level warning >"$work/fastapi.log" 2>&1 &
  pids+=("$!")
  disown
  mkdir -p "$work/airflow-dags" "$work/airflow-work"
  cp "$root/benchmarks/pipeline/airflow_pipeline.py" "$work/airflow-dags/"
  export SAMPLES_URL="http://127.0.0.1:$samples_port" MLFLOW_TRACKING_URI="http://127.0.0.1:$mlflow_port"
  export MODEL_REPO="$work/data/examples/line-model" PIPELINE_WORK="$work/airflow-work"
  start_airflow "$airflow_venv" "$work" "$work/airflow-dags" "$port" 32
  wait_for "http://127.0.0.1:$mlflow_port/health"
  wait_for "http://127.0.0.1:$samples_port/hello"
  token=$(airflow_token_when_loaded "$port" alpha_orchestrated_experiment)
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/api/v2/dags/alpha_orchestrated_experiment" -d '{"is_paused": false}'
  sleep 3
  log "measuring airflow + mlflow + fastapi: $runs runs"
  "$python" "$root/benchmarks/pipeline/workload.py" "http://127.0.0.1:$port" "http://127.0.0.1:$mlflow_port" "$runs" admin admin "$pythoncommit" >"$work/airflow.json"
fi

python3 - "$work" "$linear" "$cubic" "$pythoncommit" <<'PY'
import json, os, sys
work, linear, cubic, python = sys.argv[1:]
ours = json.load(open(os.path.join(work, "flowline.json")))
theirs = json.load(open(os.path.join(work, "airflow.json"))) if os.path.exists(os.path.join(work, "airflow.json")) else None
print("\nTrigger → registered model, whole example DAG, median of runs (s)\n")
print("| commit (trainer) | flowline | airflow + mlflow + fastapi | flowline is |")
print("|---|---|---|---|")
for commit, name in ((linear, "linear (flowline fit)"), (cubic, "cubic (flowline fit)"), (python, "python (scikit-learn + mlflow client)")):
    mine = ours["median_s"][commit]
    other = theirs["median_s"].get(commit) if theirs else None
    ratio = f"{other / mine:.1f}x faster" if other else "-"
    print(f"| {name} | {mine:.3f} | {f'{other:.3f}' if other else '-'} | {ratio} |")
if theirs:
    mine, other = ours["median_s"][cubic], theirs["median_s"][python]
    print(f"| the example as each stack runs it: flowline's default (cubic) vs the original's Python route | {mine:.3f} | {other:.3f} | {other / mine:.1f}x faster |")
print(f"\nruns (s): flowline {json.dumps(ours['runs_s'])}" + (f"; airflow {json.dumps(theirs['runs_s'])}" if theirs else ""))
PY
if [ "${SKIP_TRAINING:-0}" != 1 ]; then echo; "$root/benchmarks/training.sh"; fi
