#!/usr/bin/env bash
# Project-local PostGIS cluster under instance/pg, for development and tests.
# Used only when DATABASE_URL is not set. PostgreSQL refuses to run as root, so when
# we are root the cluster belongs to the unprivileged "postgres" system user.
# Usage: scripts/pg.sh start|stop|status|destroy
#
# Each checkout has its own cluster on its own port: the first free one from 54320 when the
# cluster is made, remembered in instance/pg.port (config.py, the tests and the benchmarks read
# it there). PG_PORT, when set, wins. A remembered port that another program took meanwhile
# is given up for the next free one.
set -euo pipefail

cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
INSTANCE=$PWD/instance
DATA=$INSTANCE/pg
LOG=$DATA.log
PORT_FILE=$INSTANCE/pg.port
FIRST_PORT=54320

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port=$FIRST_PORT
  while listening "$port"; do port=$((port + 1)); done
  echo "$port"
}

remembered_port() {
  if [ -f "$PORT_FILE" ]; then
    cat "$PORT_FILE"
  elif [ -f "$DATA/postgresql.conf" ]; then
    # A cluster made before ports were remembered: the port its configuration names.
    sed -n 's/^port = \([0-9]*\)$/\1/p' "$DATA/postgresql.conf" | tail -n 1
  fi
}

remember() {
  mkdir -p "$INSTANCE"
  echo "$1" >"$PORT_FILE"
}

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

# The port of a running cluster, of PG_PORT, the remembered one, or a free one (remembered).
choose_port() {
  if [ -n "${PG_PORT:-}" ]; then
    [ -f "$PORT_FILE" ] || remember "$PG_PORT"
    return 0
  fi
  PG_PORT=$(remembered_port)
  if [ -n "$PG_PORT" ] && running; then
    remember "$PG_PORT"
    return 0
  fi
  if [ -z "$PG_PORT" ] || listening "$PG_PORT"; then
    [ -n "$PG_PORT" ] && echo "Port $PG_PORT ist belegt; der Cluster dieses Checkouts nimmt einen freien." >&2
    PG_PORT=$(free_port)
  fi
  remember "$PG_PORT"
}

start() {
  init
  choose_port
  if ! running; then
    touch "$LOG"
    [ "$(id -u)" = 0 ] && chown postgres: "$LOG"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $PG_PORT" -w -t 60 start >/dev/null
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

stop() {
  running && as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null || true
}

status() {
  local port=${PG_PORT:-$(remembered_port)}
  echo "Daten: $( [ -e "$DATA" ] && readlink -f "$DATA" || echo "$DATA (noch nicht angelegt)")"
  echo "Port:  ${port:-(noch keiner)}"
  if running; then echo "Läuft auf 127.0.0.1:$port"; else echo "Gestoppt"; fi
}

# Only this checkout's cluster: its data (also where instance/pg links to), log and port.
destroy() {
  stop
  if [ -L "$DATA" ]; then
    local target
    target=$(readlink -f "$DATA")
    rm -rf "$target" "$target.log"
  fi
  rm -rf "$DATA" "$LOG" "$PORT_FILE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) destroy ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
