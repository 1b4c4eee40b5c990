#!/usr/bin/env bash
# Point-in-time recovery from pgBackRest's repository into a new data folder: pgBackRest chooses
# the latest backup that ended before the time, restores it, and PostgreSQL replays the archived
# WAL up to that time; the restored cluster is promoted and left running, ready to serve.
#
#   Deploy/restore.sh --to TIME --into FOLDER [--port PORT]
#
#   TIME    what to restore to, as PostgreSQL reads a timestamptz ("2026-12-03 02:15:00+00"):
#           every transaction committed by then is in the restored cluster, none after
#   FOLDER  a new folder (its data goes in FOLDER/data, its log in FOLDER/postgres.log, its
#           socket in FOLDER/socket); it must not exist or be empty
#   PORT    the port on 127.0.0.1 it listens on (default 54339)
#
# AP_CLUSTER_DIR is the cluster's folder (default .local/cluster), whose
# pgbackrest/pgbackrest.conf names the repository. It prints the restored cluster's address.
# Stop it with
#   pg_ctl -D FOLDER/data stop    (as the postgres user when root)
# To make it the new cluster, start Patroni's members on a copy of it (the operator's guide says how).
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${AP_CLUSTER_DIR:-$PROJECT_DIR/.local/cluster}"
CONF="$DIR/pgbackrest/pgbackrest.conf"
PG_BIN="/usr/lib/postgresql/15/bin"
TARGET="" INTO="" PORT=54339

say() { echo "restore: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
usage() { echo "usage: $0 --to TIME --into FOLDER [--port PORT]" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --to) TARGET="${2:-}"; shift 2 || usage ;;
        --into) INTO="${2:-}"; shift 2 || usage ;;
        --port) PORT="${2:-}"; shift 2 || usage ;;
        *) usage ;;
    esac
done
[ -n "$TARGET" ] && [ -n "$INTO" ] || usage
[ -f "$CONF" ] || { say "no $CONF: the repository is named there (bash Deploy/cluster.sh up makes it)"; exit 1; }
if [ -e "$INTO" ] && [ -n "$(ls -A "$INTO" 2>/dev/null)" ]; then say "$INTO is not empty: restore into a new folder"; exit 1; fi
date -u -d "$TARGET" +%s >/dev/null 2>&1 || { say "--to: $TARGET is not a time"; exit 2; }
INTO="$(mkdir -p "$INTO" && cd "$INTO" && pwd)"

mkdir -p "$INTO/data" "$INTO/socket"
chmod 755 "$INTO"
if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$INTO"; fi
as_owner chmod 700 "$INTO/data"
say "restoring the backup before $TARGET, and the WAL up to it, into $INTO/data"
as_owner pgbackrest --config="$CONF" --stanza=ap --pg1-path="$INTO/data" --log-level-console=warn \
    --type=time --target="$TARGET" --target-action=promote restore

# The copy is a member's as it was (Patroni's postgresql.conf: its port, socket, synchronous
# standby, archiving): here it is a cluster of its own, alone and not archiving into the repository.
as_owner tee -a "$INTO/data/postgresql.auto.conf" >/dev/null <<CONF
# Deploy/restore.sh: a cluster of its own.
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$INTO/socket'
hba_file = '$INTO/data/pg_hba.conf'
ident_file = '$INTO/data/pg_ident.conf'
archive_mode = 'off'
synchronous_standby_names = ''
primary_conninfo = ''
primary_slot_name = ''
CONF
as_owner "$PG_BIN/pg_ctl" -D "$INTO/data" -l "$INTO/postgres.log" -w -t 120 start >/dev/null
for _ in $(seq 1 600); do
    if [ "$("$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAtX -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; then
        say "restored to $TARGET and promoted: postgresql://postgres@127.0.0.1:$PORT"
        echo "postgresql://postgres@127.0.0.1:$PORT"
        exit 0
    fi
    sleep 0.2
done
say "recovery did not finish within two minutes: see $INTO/postgres.log"
exit 1
