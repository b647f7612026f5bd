#!/usr/bin/env bash
# Runs a command with BGC_TEST_DATABASE_URL pointing at a throw-away Debian PostgreSQL 15
# cluster on a loopback TCP port (15 is the oldest version we support; TCP lets containers
# reach it). Installs the server with apt when missing. A missing server is a failure
# unless BGC_ALLOW_SKIP_PG15=1, and a skip is printed loudly either way.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin

skip() {
  echo "=====================================================================" >&2
  echo "postgres15: SKIPPED, NOT TESTED ON POSTGRESQL 15: $1" >&2
  echo "=====================================================================" >&2
  if [ "${BGC_ALLOW_SKIP_PG15:-0}" = 1 ]; then exit 0; fi
  echo "postgres15: set BGC_ALLOW_SKIP_PG15=1 to accept this skip" >&2
  exit 1
}

if [ ! -x "$PGBIN/initdb" ]; then
  command -v apt-get >/dev/null || skip "no PostgreSQL 15 and no apt-get to install it"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null; } \
    || skip "apt-get could not install postgresql-15"
fi
DATA=$(mktemp -d /tmp/bgc-pg15.XXXXXX)
PORT=${BGC_PG15_PORT:-55432}
chown postgres "$DATA" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DATA" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" -l "$DATA/log" -w start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; rm -rf "$DATA"' EXIT
echo "postgres15: $("$PGBIN/postgres" --version) on 127.0.0.1:$PORT"
BGC_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres" "$@"
