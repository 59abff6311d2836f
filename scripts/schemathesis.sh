#!/usr/bin/env bash
# Schemathesis against the orchestrator's and the samples service's OpenAPI documents of a fresh
# `flowline up`: logged in as the admin, stateful where the documents link operations, every check
# but positive_data_acceptance (see Tests/clients/schemathesis_run.py). Prints each summary and
# exits non-zero on any failure.
#
#   scripts/schemathesis.sh [EXAMPLES]     examples per operation (default 100), a fresh seed each run
#
# Uses the venv of the client tests (scripts/venv.sh) and the debug binary (or FLOWLINE_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-100}
venv=$(scripts/venv.sh)
binary=${FLOWLINE_BIN:-$PWD/.build/debug/flowline}
[ -x "$binary" ] || swift build
data=$(mktemp -d /tmp/flowline-schemathesis.XXXXXX)
log="$data/up.log"
"$binary" up --data-dir "$data/data" --samples-port 0 --tracking-port 0 --orchestrator-port 0 --serving-port 0 --log-level warning >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 150); do
  grep -q "Press Ctrl-C to stop." "$log" && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.2
done
orchestrator=$(grep -m1 '^  orchestrator' "$log" | grep -o 'http://[0-9.:]*' || true)
samples=$(grep -m1 '^  samples' "$log" | grep -o 'http://[0-9.:]*' | head -1 || true)
if [ -z "$orchestrator" ] || [ -z "$samples" ]; then
  echo "flowline up did not start (or printed no service URLs) within 30 s; its output:" >&2
  cat "$log" >&2
  exit 1
fi
cd Tests/clients
"$venv/bin/python" - "$orchestrator" "$samples" "$examples" <<'PY'
import sys
from schemathesis_run import run_both, summary

failed = False
for name, result in run_both(sys.argv[1], sys.argv[2], examples=int(sys.argv[3])):
    print(f"== {name}\n{summary(result.stdout, result.stderr)}")
    if result.returncode != 0:
        failed = True
        print(result.stdout[-8000:])
sys.exit(1 if failed else 0)
PY
