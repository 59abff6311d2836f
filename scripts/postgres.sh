#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the tests, from Debian's packages, on 127.0.0.1 and a
# free port, in a temporary folder; prints the connection URL. `scripts/postgres.sh stop DIR`
# stops it and deletes the folder. Installs the `postgresql` package when missing and root.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ "${1:-}" = stop ]; then
  dir=$2
  bin=$(pg_bin)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit 0
fi

if [ -z "$(pg_bin)" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    (apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }) >&2
  else
    echo "PostgreSQL is needed for the tests: sudo apt-get install postgresql" >&2
    exit 1
  fi
fi
bin=$(pg_bin)
dir=$(mktemp -d /tmp/flowline-pg.XXXXXX)
chmod 755 "$dir"
mkdir "$dir/data"
chown postgres "$dir/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U flowline -A trust >"$dir/initdb.log" 2>&1
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w \
  -o "-p $port -k $dir/data -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
echo "$dir postgresql://flowline@127.0.0.1:$port/postgres"
