#!/usr/bin/env bash
# Runs the database tests once more against Debian's PostgreSQL 15 (the oldest version we support).
# Installs the server with apt when missing; starts a throw-away cluster on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "postgres15: no PostgreSQL 15 and no apt-get here; skipping the PostgreSQL 15 run" >&2
    exit 0
  fi
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null; }; then
    echo "postgres15: could not install postgresql-15; skipping the PostgreSQL 15 run" >&2
    exit 0
  fi
fi
DATA=$(mktemp -d /tmp/bgc-pg15.XXXXXX)
PORT=${BGC_PG15_PORT:-55432}
chown postgres "$DATA" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DATA" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" -l "$DATA/log" -w start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; rm -rf "$DATA"' EXIT
BGC_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres" .venv/bin/pytest -m integration -q
