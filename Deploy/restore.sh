#!/usr/bin/env bash
# Point-in-time recovery from Deploy/backup.sh's backups into a new data folder: the latest base
# backup taken before the time, then the archived WAL replayed up to that time; the restored
# cluster is promoted and left running, ready to serve.
#
#   Deploy/restore.sh --to TIME --into FOLDER [--port PORT]
#
#   TIME    what to restore to, as PostgreSQL reads a timestamptz ("2026-12-03 02:15:00+00"):
#           every transaction committed by then is in the restored cluster, none after
#   FOLDER  a new folder (its data goes in FOLDER/data, its log in FOLDER/postgres.log, its
#           socket in FOLDER/socket); it must not exist or be empty
#   PORT    the port on 127.0.0.1 it listens on (default 54339)
#
# AP_BACKUP_DIR is where Deploy/backup.sh put the backups (default .local/backups). It prints the
# restored cluster's DATABASE_URL host part. Stop it with
#   pg_ctl -D FOLDER/data stop    (as the postgres user when root)
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKUP_DIR="${AP_BACKUP_DIR:-$PROJECT_DIR/.local/backups}"
PG_BIN="/usr/lib/postgresql/15/bin"
TARGET="" INTO="" PORT=54339

say() { echo "restore: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

while [ $# -gt 0 ]; do
    case "$1" in
        --to) TARGET="$2"; shift 2 ;;
        --into) INTO="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        *) echo "usage: $0 --to TIME --into FOLDER [--port PORT]" >&2; exit 2 ;;
    esac
done
[ -n "$TARGET" ] && [ -n "$INTO" ] || { echo "usage: $0 --to TIME --into FOLDER [--port PORT]" >&2; exit 2; }
if [ -e "$INTO" ] && [ -n "$(ls -A "$INTO" 2>/dev/null)" ]; then say "$INTO is not empty: restore into a new folder"; exit 1; fi

# The target as UTC seconds, to choose the base backup (PostgreSQL itself reads TIME for recovery).
target_epoch="$(date -u -d "$TARGET" +%s 2>/dev/null)" || { say "--to: $TARGET is not a time"; exit 2; }
chosen=""
for dir in "$BACKUP_DIR"/base/*/; do
    [ -f "$dir/taken_at" ] || continue
    taken="$(date -u -d "$(cat "$dir/taken_at")" +%s)"
    if [ "$taken" -le "$target_epoch" ]; then chosen="${dir%/}"; fi
done
[ -n "$chosen" ] || { say "no base backup in $BACKUP_DIR/base was taken before $TARGET"; exit 1; }
say "restoring $(basename "$chosen") and the archived WAL up to $TARGET"

mkdir -p "$INTO/data" "$INTO/socket"
chmod 755 "$INTO"
if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$INTO"; fi
as_owner tar -xzf "$chosen/base.tar.gz" -C "$INTO/data"
as_owner chmod 700 "$INTO/data"
as_owner tee -a "$INTO/data/postgresql.auto.conf" >/dev/null <<CONF
# Point-in-time recovery (Deploy/restore.sh): replay the archive up to the target, then promote.
restore_command = 'cp "$BACKUP_DIR/wal/%f" "%p"'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
archive_mode = 'off'
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$INTO/socket'
CONF
as_owner touch "$INTO/data/recovery.signal"
as_owner "$PG_BIN/pg_ctl" -D "$INTO/data" -l "$INTO/postgres.log" -w -t 120 start >/dev/null
for _ in $(seq 1 600); do
    if [ "$(as_owner psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAtX -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; then
        say "restored to $TARGET and promoted: postgresql://postgres@127.0.0.1:$PORT"
        echo "postgresql://postgres@127.0.0.1:$PORT"
        exit 0
    fi
    sleep 0.2
done
say "recovery did not finish within two minutes: see $INTO/postgres.log"
exit 1
