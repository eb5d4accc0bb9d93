#!/usr/bin/env bash
# Project-local PostGIS cluster under instance/pg, for development and tests.
# Used only when DATABASE_URL is not set. PostgreSQL refuses to run as root, so when
# we are root the cluster belongs to the unprivileged "postgres" system user.
# Usage: scripts/pg.sh start|stop|status|destroy   (stop and destroy: the replica as well)
#        scripts/pg.sh replica start|stop|status|destroy
#
# Each checkout has its own cluster on its own port: the first free one from 54320 when the
# cluster is made, remembered in instance/pg.port (config.py, the tests and the benchmarks read
# it there). PG_PORT, when set, wins. A remembered port that another program took meanwhile
# is given up for the next free one.
#
# `replica start` makes a streaming read replica of this cluster (pg_basebackup -R) under
# instance/pg-replica on a port of its own (instance/pg-replica.port: the first free one after
# the cluster's) and starts it; a stopped one is started again and rebuilt only when it cannot
# catch up (the WAL it needs is gone). It returns once the replica has replayed everything the
# cluster had written when it was started. The cluster itself is neither restarted nor changed:
# initdb's pg_hba.conf already lets local superusers replicate.
set -euo pipefail

cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
INSTANCE=$PWD/instance
DATA=$INSTANCE/pg
LOG=$DATA.log
PORT_FILE=$INSTANCE/pg.port
FIRST_PORT=54320
REPLICA=$INSTANCE/pg-replica
REPLICA_PORT_FILE=$INSTANCE/pg-replica.port

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() { # free_port [FROM]: the first port from FROM (54320) nobody listens on
  local port=${1:-$FIRST_PORT}
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
  local dir=${1:-$DATA}
  mkdir -p "$INSTANCE"
  [ -e "$dir" ] && return 0
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$INSTANCE"; then
    local target
    target=/var/lib/maengelmelder/$(printf '%s' "$PWD" | sha256sum | cut -c1-12)${1:+-replica}
    mkdir -p "$target"
    chown postgres: "$target"
    ln -s "$target" "$dir"
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

# The replica too: without its cluster it only holds memory and a port.
stop() {
  replica_stop
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
  replica_destroy
  stop
  remove_data "$DATA" "$PORT_FILE"
  rm -rf "$LOG"
}

# remove_data DIR PORT_FILE: a stopped cluster's data (also where DIR links to), log and port.
remove_data() {
  if [ -L "$1" ]; then
    local target
    target=$(readlink -f "$1")
    rm -rf "$target" "$target.log"
  fi
  rm -rf "$1" "$1.log" "$2"
}

sql() { # sql PORT QUERY: one value, as the cluster's superuser
  as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAXc "$2"
}

replica_running() {
  [ -e "$REPLICA" ] && as_owner "$PGBIN/pg_ctl" -D "$(readlink -f "$REPLICA")" status >/dev/null 2>&1
}

# A WAL position the replica reaches only by streaming from the cluster as it is now: the end of
# a message (it changes nothing) in a transaction that commits synchronously. That commit flushes
# all WAL before it too, which with synchronous_commit off may otherwise wait in the WAL buffers
# for seconds before it goes to the replica.
flushed_position() {
  local out
  out=$(as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAX \
    -c "BEGIN" -c "SET LOCAL synchronous_commit = on" \
    -c "SELECT pg_logical_emit_message(true, 'maengelmelder', 'flush')" \
    -c "SELECT pg_current_wal_insert_lsn()" -c "COMMIT")
  echo "${out##*$'\n'}"
}

# replica_caught_up PORT LOG_OFFSET: the replica has replayed what the cluster has now. Not the
# WAL receiver's status: it says "streaming" for a moment on every try even when the cluster
# answers that the WAL it asks for is gone. Gives up when the replica's log (from LOG_OFFSET)
# says it cannot follow, or when its replay has not moved for 30 s.
replica_caught_up() {
  local port=$1 offset=$2 target replayed last="" still=0
  target=$(flushed_position)
  [ -n "$target" ] || return 1
  while :; do
    replayed=$(sql "$port" "SELECT pg_last_wal_replay_lsn()" 2>/dev/null || true)
    if [ -n "$replayed" ] &&
      [ "$(sql "$port" "SELECT '$replayed'::pg_lsn >= '$target'::pg_lsn")" = t ]; then
      return 0
    fi
    if tail -c "+$((offset + 1))" "$(readlink -f "$REPLICA").log" |
      grep -qE "has already been removed|identifier differs|timeline .* is not a child"; then
      return 1
    fi
    if [ "$replayed" = "$last" ]; then
      still=$((still + 1))
      [ "$still" -ge 150 ] && return 1
    else
      still=0 last=$replayed
    fi
    sleep 0.2
  done
}

replica_basebackup() {
  prepare_datadir "$REPLICA"
  local dir
  dir=$(readlink -f "$REPLICA")
  mkdir -p "$dir" && chmod 700 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  # -c fast: a checkpoint now instead of waiting for the next one; -X stream: the WAL written
  # meanwhile comes along, so the copy is consistent; -R: standby.signal and primary_conninfo.
  as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$dir" \
    -R -X stream -c fast
  # Public pages read here: the cluster keeps the rows their queries still need.
  echo "hot_standby_feedback = on" >>"$dir/postgresql.auto.conf"
}

replica_start() {
  running || { echo "Der Cluster läuft nicht: erst scripts/pg.sh start." >&2; exit 1; }
  PG_PORT=$(remembered_port)
  local port offset
  if replica_running; then
    port=$(cat "$REPLICA_PORT_FILE")
  else
    port=$(cat "$REPLICA_PORT_FILE" 2>/dev/null || true)
    # After the cluster's port, not among those of other checkouts' clusters (from 54320 up).
    if [ -z "$port" ] || [ "$port" -le "$PG_PORT" ] || listening "$port"; then
      port=$(free_port $((PG_PORT + 1)))
    fi
    echo "$port" >"$REPLICA_PORT_FILE"
    [ -f "$REPLICA/standby.signal" ] || { rm -rf "$(readlink -f "$REPLICA")"; replica_basebackup; }
  fi
  offset=$(replica_log_size)
  if replica_running || replica_launch "$port"; then
    replica_caught_up "$port" "$offset" && { echo "$port"; return 0; }
  fi
  echo "Die Replik kann dem Cluster nicht folgen (siehe $REPLICA.log); sie wird neu kopiert." >&2
  replica_stop
  rm -rf "$(readlink -f "$REPLICA")"
  replica_basebackup
  offset=$(replica_log_size)
  replica_launch "$port"
  replica_caught_up "$port" "$offset" ||
    { echo "Die Replik empfängt kein WAL (siehe $REPLICA.log)." >&2; exit 1; }
  echo "$port"
}

replica_log_size() {
  local log
  log=$(readlink -f "$REPLICA").log
  if [ -f "$log" ]; then stat -c %s "$log"; else echo 0; fi
}

replica_launch() {
  local dir
  dir=$(readlink -f "$REPLICA")
  touch "$dir.log"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir.log"
  as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir.log" -o "-p $1" -w -t 120 start >/dev/null
}

replica_stop() {
  replica_running && as_owner "$PGBIN/pg_ctl" -D "$(readlink -f "$REPLICA")" -m fast stop \
    >/dev/null || true
}

replica_status() {
  local port
  port=$(cat "$REPLICA_PORT_FILE" 2>/dev/null || echo "(noch keiner)")
  echo "Replik: $( [ -e "$REPLICA" ] && readlink -f "$REPLICA" || echo "$REPLICA (noch nicht angelegt)")"
  echo "Port:   $port"
  if replica_running; then echo "Läuft auf 127.0.0.1:$port"; else echo "Gestoppt"; fi
}

replica_destroy() {
  replica_stop
  remove_data "$REPLICA" "$REPLICA_PORT_FILE"
}

replica() {
  case "${1:-start}" in
    start) replica_start ;;
    stop) replica_stop ;;
    status) replica_status ;;
    destroy) replica_destroy ;;
    *) echo "usage: $0 replica start|stop|status|destroy" >&2; exit 2 ;;
  esac
}

case "${1:-start}" in
  replica) replica "${2:-start}" ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) destroy ;;
  *) echo "usage: $0 start|stop|status|destroy|replica …" >&2; exit 2 ;;
esac
