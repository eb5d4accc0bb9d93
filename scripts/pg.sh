#!/usr/bin/env bash
# Project-local PostGIS cluster under instance/pg, for development and tests.
# Used only when DATABASE_URL is not set. PostgreSQL refuses to run as root, so when
# we are root the cluster belongs to the unprivileged "postgres" system user.
# Usage: scripts/pg.sh start|stop|status
set -euo pipefail

cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_PORT=${PG_PORT:-54320}
INSTANCE=$PWD/instance
DATA=$INSTANCE/pg
LOG=$DATA.log

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The postgres user must be able to reach instance/. A clone under /root is not reachable,
# so the cluster then lives under /var/lib/maengelmelder and instance/pg links to it.
prepare_datadir() {
  mkdir -p "$INSTANCE"
  [ -e "$DATA" ] && return 0
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$INSTANCE"; then
    local target
    target=/var/lib/maengelmelder/$(printf '%s' "$PWD" | sha256sum | cut -c1-12)
    mkdir -p "$target"
    chown postgres: "$target"
    ln -s "$target" "$DATA"
  fi
}

init() {
  prepare_datadir
  # From here on the real path: the postgres user may not be able to follow instance/pg.
  DATA=$(readlink -f "$DATA")
  LOG=$DATA.log
  [ -f "$DATA/PG_VERSION" ] && return 0
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
  as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

running() {
  [ -e "$DATA" ] || return 1
  DATA=$(readlink -f "$DATA")
  as_owner "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  init
  if ! running; then
    touch "$LOG"
    [ "$(id -u)" = 0 ] && chown postgres: "$LOG"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  fi
  as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = 'maengelmelder'" | grep -q 1 ||
    as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc \
      "CREATE ROLE maengelmelder LOGIN SUPERUSER"
  for db in maengelmelder maengelmelder_test; do
    as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -O maengelmelder "$db"
    as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" -qc \
      "CREATE EXTENSION IF NOT EXISTS postgis" 2>&1 | grep -v NOTICE || true
  done
}

case "${1:-start}" in
  start) start ;;
  stop) running && as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null || true ;;
  status) running && echo "running on 127.0.0.1:$PG_PORT" || echo "stopped" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
