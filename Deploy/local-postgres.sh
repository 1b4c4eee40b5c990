#!/usr/bin/env bash
# A local PostgreSQL 15 for development, the demo and the tests.
#
#   Deploy/local-postgres.sh install   install PostgreSQL 15, contrib, libpq-dev and pkg-config if missing
#   Deploy/local-postgres.sh start     install if needed, create the cluster if needed, start it (idempotent)
#   Deploy/local-postgres.sh stop      stop it (idempotent)
#   Deploy/local-postgres.sh status    say whether it runs
#   Deploy/local-postgres.sh url       print the DATABASE_URL of its database
#   Deploy/local-postgres.sh destroy   stop it and delete its data folder
#
# Settings (environment):
#   AP_PG_DIR   the cluster's folder (default: .local/postgres in the project)
#   AP_PG_PORT  the TCP port on 127.0.0.1 (default: 54329)
#   AP_PG_DB    the database created in it (default: approved_premises)
#
# The cluster trusts local connections: it listens on 127.0.0.1 and on a unix socket inside
# its own folder only. It is for development and tests, never for production.
# initdb and postgres refuse to run as root: when the caller is root the cluster is owned by,
# and runs as, the `postgres` user.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_DIR="${AP_PG_DIR:-$PROJECT_DIR/.local/postgres}"
PG_PORT="${AP_PG_PORT:-54329}"
PG_DB="${AP_PG_DB:-approved_premises}"
PG_BIN="/usr/lib/postgresql/15/bin"
DATA="$PG_DIR/data"
SOCKET_DIR="$PG_DIR/socket"
LOG="$PG_DIR/postgres.log"

say() { echo "local-postgres: $*" >&2; }

as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_packages() {
    local missing=()
    [ -x "$PG_BIN/pg_ctl" ] || missing+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/btree_gist.control ] || missing+=(postgresql-contrib)
    [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" != "0" ]; then
        say "missing packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # Debian's postinst would create and start a cluster of its own on 5432; we do not need it.
    mkdir -p /etc/postgresql-common
    if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
        echo "create_main_cluster = false" >> /etc/postgresql-common/createcluster.conf
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# postgres must be able to reach its folder; when the project lives under a folder it cannot
# enter (a root-only home, say), fall back to a folder of its own outside the project.
choose_dir() {
    if [ "$(id -u)" = "0" ] && [ -z "${AP_PG_DIR:-}" ]; then
        mkdir -p "$PG_DIR"
        if ! runuser -u postgres -- test -x "$PG_DIR"; then
            PG_DIR="/var/lib/ap-postgres/$(echo "$PROJECT_DIR" | md5sum | cut -c1-12)"
            DATA="$PG_DIR/data"; SOCKET_DIR="$PG_DIR/socket"; LOG="$PG_DIR/postgres.log"
        fi
    fi
}

is_running() {
    [ -f "$DATA/postmaster.pid" ] || return 1
    local pid
    pid="$(head -1 "$DATA/postmaster.pid" 2>/dev/null || true)"
    # A postmaster killed with -9 can linger as a zombie where nothing reaps it; that is not running.
    if [ -n "$pid" ] && grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
        return 1
    fi
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

create_cluster() {
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" = "0" ]; then
        chown postgres:postgres "$PG_DIR"
    fi
    as_owner mkdir -p "$DATA" "$SOCKET_DIR"
    as_owner chmod 700 "$DATA"
    say "creating a cluster in $DATA"
    as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat <<EOF | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
# added by Deploy/local-postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCKET_DIR'
max_connections = 300
fsync = ${AP_PG_FSYNC:-on}
timezone = 'UTC'
EOF
}

start() {
    install_packages
    choose_dir
    if [ ! -f "$DATA/PG_VERSION" ]; then
        create_cluster
    fi
    if is_running; then
        say "already running on 127.0.0.1:$PG_PORT"
    else
        # After a kill -9 the old postmaster may still be a zombie for a moment, and PostgreSQL
        # refuses to start while its pid is taken: wait for it to be reaped.
        local old tries=0
        old="$(head -1 "$DATA/postmaster.pid" 2>/dev/null || true)"
        while [ -n "$old" ] && [ -e "/proc/$old" ] && [ "$tries" -lt 50 ]; do
            sleep 0.2; tries=$((tries + 1))
        done
        as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $PG_PORT" start >/dev/null
        say "started on 127.0.0.1:$PG_PORT ($DATA)"
    fi
    if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DB"
        say "created database $PG_DB"
    fi
}

stop() {
    choose_dir
    if is_running; then
        as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        say "stopped"
    else
        say "not running"
    fi
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    status) choose_dir; if is_running; then say "running on 127.0.0.1:$PG_PORT"; else say "not running"; exit 3; fi ;;
    url) echo "postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DB" ;;
    destroy) stop; choose_dir; rm -rf "$PG_DIR"; say "removed $PG_DIR" ;;
    *) echo "usage: $0 install|start|stop|restart|status|url|destroy" >&2; exit 2 ;;
esac
