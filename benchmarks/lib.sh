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
