#!/usr/bin/env bash
# Benchmark of the line-samples service against its reference, in the same run on the same machine:
# requests/s and p50/p99 latency at 64 connections for n_samples = 1 and 1000, and the server's
# CPU time per request. The reference is the original FastAPI app (uvicorn, 1 worker, numpy),
# installed into a venv under the cache folder. Two ceilings are measured beside it: a bare
# Hummingbird server answering one fixed sample (`flowline-ceiling serve`, for n_samples=1), and
# the time the service's own code takes to sample and format 1,000 samples without a server
# (`flowline-ceiling format`), to which the server's CPU per n=1000 request is compared.
#
#   benchmarks/samples.sh            # 10 s per measurement
#   DURATION=30s benchmarks/samples.sh
#
# Needs wrk (installed from Debian's packages when missing and running as root) and, for the
# reference, python3 with pip. Without pip the reference is skipped and said so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FLOWLINE_CACHE:-$root/.cache}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
work=$(mktemp -d)
. "$root/benchmarks/lib.sh"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

ensure_wrk

build_flowline "$root"
(cd "$root" && swift build -c release --product flowline-ceiling >&2)
ceiling="$(dirname "$flowline")/flowline-ceiling"
[ -x "$ceiling" ] || ceiling="$root/.build/release/flowline-ceiling"

reference=yes
venv="$cache/bench-fastapi-venv"
if [ ! -x "$venv/bin/uvicorn" ]; then
  log "installing the reference (fastapi, uvicorn, numpy) into $venv"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q fastapi "uvicorn[standard]" numpy; } >&2; then
    log "pip is unavailable: skipping the FastAPI reference"
    reference=no
  fi
fi


# Servers measured: name, pid, url (the first is Flowline; ratios are Flowline's req/s over each).
names=() ; server_pids=() ; urls=()
start_server() {  # NAME PORT COMMAND...
  local name=$1 port=$2; shift 2
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!); names+=("$name"); server_pids+=($!); urls+=("http://127.0.0.1:$port")
  wait_for "http://127.0.0.1:$port/hello"
}
port=$(free_port); start_server flowline "$port" "$flowline" samples serve --port "$port" --log-level warning
port=$(free_port); start_server hummingbird-bare "$port" "$ceiling" serve "$port"
if [ "$reference" = yes ]; then
  for app in original minimal; do
    port=$(free_port)
    start_server "fastapi-$app" "$port" "$venv/bin/uvicorn" --app-dir "$root/benchmarks/reference" "samples_fastapi:$app" \
      --host 127.0.0.1 --port "$port" --workers 1 --no-access-log --log-level warning
  done
fi

for n in 1 1000; do
  cat >"$work/post-$n.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"n_samples": $n}'
wrk.headers["Content-Type"] = "application/json"
LUA
done

# Checks that a server answers n samples as valid JSON before it is measured.
check_json() {
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"n_samples\": $2}" "$1/get-samples" |
    python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d['samples'])==$2 and all(len(p)==2 for p in d['samples'])" ||
    { echo "invalid response from $1 for n=$2" >&2; exit 1; }
}

# measure NAME PID URL N -> "rps p50_ms p99_ms cpu_ms_per_request"
measure() {
  local pid=$2 url=$3 n=$4
  check_json "$url" "$n"
  wrk -t"$threads" -c"$connections" -d2s -s "$work/post-$n.lua" "$url/get-samples" >/dev/null  # warm-up
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/post-$n.lua" "$url/get-samples")
  after=$(cpu_ticks "$pid")
  read -r rps p50 p99 total < <(echo "$out" | wrk_summary)
  awk -v rps="$rps" -v p50="$p50" -v p99="$p99" -v total="$total" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%s %s %s %.3f\n", rps, p50, p99, (ticks / hz * 1000) / total }'
}

printf '\nLine-samples benchmark: %s per run, %s connections, wrk with %s threads, %s cores\n' "$duration" "$connections" "$threads" "$(nproc)"
printf 'Flowline %s vs FastAPI (uvicorn[standard], 1 worker, async def, numpy, no access log):\n' "$("$flowline" --version)"
printf '  fastapi-original: the original service code (pydantic response models); fastapi-minimal: no response models\n\n'
printf '| %-9s | %-16s | %8s | %7s | %7s | %10s | %-14s |\n' n_samples server "req/s" "p50 ms" "p99 ms" "CPU ms/req" "flowline ratio"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ----------- ------------------ ---------- --------- --------- ------------ ----------------
for n in 1 1000; do
  flowline_rps=
  for i in "${!names[@]}"; do
    # The bare server answers one fixed sample: a ceiling for n_samples=1 only.
    if [ "${names[$i]}" = hummingbird-bare ] && [ "$n" != 1 ]; then continue; fi
    read -r rps p50 p99 cpu < <(measure "${names[$i]}" "${server_pids[$i]}" "${urls[$i]}" "$n")
    if [ -z "$flowline_rps" ]; then flowline_rps=$rps; ratio="-"; [ "$n" = 1000 ] && flowline_cpu_1000=$cpu; else
      ratio=$(awk -v a="$flowline_rps" -v b="$rps" 'BEGIN { printf "%.1fx", a / b }'); fi
    printf '| %-9s | %-16s | %8s | %7s | %7s | %10s | %-14s |\n' "$n" "${names[$i]}" "$rps" "$p50" "$p99" "$cpu" "$ratio"
  done
done
[ "$reference" = yes ] || echo "(FastAPI reference skipped: pip was unavailable)"
read -r format_us _ < <("$ceiling" format 1000 4000)
echo
echo "Sampling and formatting 1,000 samples without a server (flowline-ceiling format): $format_us µs;"
awk -v cpu="$flowline_cpu_1000" -v format="$format_us" \
  'BEGIN { printf "the server spends %.0f µs of CPU per n_samples=1000 request: %.2fx the formatting alone.\n", cpu * 1000, cpu * 1000 / format }'
echo
echo "Targets: at least 10x FastAPI's req/s for n_samples=1 and 25x for n_samples=1000; at least 0.9x"
echo "the bare Hummingbird server's req/s for n_samples=1; at most 1.5x the formatting time for n_samples=1000."
