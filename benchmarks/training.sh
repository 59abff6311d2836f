#!/usr/bin/env bash
# Benchmark of `flowline fit` against the original pipeline's Python route (json.load + numpy +
# scikit-learn's LinearRegression, in a cache venv this script creates), end to end as processes,
# on samples files from Flowline's samples service (default line, noise 0.1). Prints a table: the
# median of REPS runs of each, the ratio, and the largest difference between their coefficients.
#
#   benchmarks/training.sh                     # SIZES="1000 1000000" REPS=5
#   SIZES=1000000 REPS=3 benchmarks/training.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
cache=${FLOWLINE_CACHE:-$root/.cache}
read -r -a sizes <<<"${SIZES:-1000 1000000}"
reps=${REPS:-5}
work=$(mktemp -d)
pids=()
trap stop_groups EXIT

build_flowline "$root"
venv="$cache/bench-sklearn-venv"
ensure_venv "$venv" f2py numpy scikit-learn

port=$(free_port)
setsid "$flowline" samples serve --port "$port" --log-level warning >"$work/samples.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$port/hello"
files=()
for size in "${sizes[@]}"; do
  "$flowline" samples fetch --url "http://127.0.0.1:$port" --count "$size" --out "$work/$size.json" >&2
  files+=("$work/$size.json")
done
log "timing $reps runs of each per file"
"$venv/bin/python" "$root/benchmarks/training/compare.py" "$flowline" "$venv/bin/python" "$root/benchmarks/training/fit_sklearn.py" "$reps" "${files[@]}"
