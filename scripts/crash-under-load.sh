#!/usr/bin/env bash
# Crashes Flowline with kill -9 under load, ROUNDS times (default 20), restarting it each time on
# the same data directory, and checks that no acknowledged metric write or dag run was lost or
# doubled, that every run finishes and that the SQLite databases pass integrity_check.
# See scripts/crash-under-load.py; extra options (--seed N, --data-dir DIR) are passed through.
#
#   scripts/crash-under-load.sh [ROUNDS] [--seed N] [--data-dir DIR]
#
# Uses the binary at $FLOWLINE_BIN, else .build/debug/flowline (build it with `swift build`), and
# the Python venv of the client tests (scripts/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv=$(scripts/venv.sh)
export FLOWLINE_BIN="${FLOWLINE_BIN:-$root/.build/debug/flowline}"
if [ ! -x "$FLOWLINE_BIN" ]; then
  echo "flowline binary not found at $FLOWLINE_BIN: run \`swift build\` first or set FLOWLINE_BIN" >&2
  exit 2
fi
exec "$venv/bin/python" scripts/crash-under-load.py "$@"
