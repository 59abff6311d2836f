#!/usr/bin/env bash
# Creates the Python venv of the client tests, or brings it in step with
# Tests/clients/requirements.txt, and prints its path: .cache/venv, or $FLOWLINE_CACHE/venv.
#
#   venv=$(scripts/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="${FLOWLINE_CACHE:-$root/.cache}/venv"
requirements="$root/Tests/clients/requirements.txt"
stamp="$venv/.requirements.sha256"
if [ ! -x "$venv/bin/python" ] || ! sha256sum --status -c "$stamp" 2>/dev/null; then
  echo "== installing the Python packages of $requirements into $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r "$requirements" >&2
  sha256sum "$requirements" >"$stamp"
fi
echo "$venv"
