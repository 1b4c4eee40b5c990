#!/usr/bin/env bash
# Backups of a PostgreSQL cluster made with PostgreSQL's own tools: continuous WAL archiving to a
# folder, and base backups with pg_basebackup. Deploy/restore.sh restores them to a point in time.
#
#   Deploy/backup.sh enable   archive every WAL segment to $AP_BACKUP_DIR/wal (restarts the cluster once)
#   Deploy/backup.sh base     take a base backup into $AP_BACKUP_DIR/base/<UTC time>
#   Deploy/backup.sh switch   close the current WAL segment and wait until it is archived
#                             (everything committed so far is then restorable)
#   Deploy/backup.sh status   list the base backups and the archived WAL
#
# Settings (environment):
#   AP_PG_DIR      the cluster's folder, as Deploy/local-postgres.sh has it (its data in $AP_PG_DIR/data)
#   AP_PG_PORT     its port on 127.0.0.1 (default 54329)
#   AP_BACKUP_DIR  where the backups go (default .local/backups); on real machines, storage of its
#                  own (another disk, an NFS export, a bucket mounted or synced)
#
# As root it runs PostgreSQL's tools as the `postgres` user, which must own AP_BACKUP_DIR.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_DIR="${AP_PG_DIR:-$PROJECT_DIR/.local/postgres}"
PG_PORT="${AP_PG_PORT:-54329}"
BACKUP_DIR="${AP_BACKUP_DIR:-$PROJECT_DIR/.local/backups}"
PG_BIN="/usr/lib/postgresql/15/bin"

say() { echo "backup: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { as_owner psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

prepare_dir() {
    mkdir -p "$BACKUP_DIR/wal" "$BACKUP_DIR/base"
    if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$BACKUP_DIR"; fi
    chmod 700 "$BACKUP_DIR"
}

enable() {
    prepare_dir
    local wal="$BACKUP_DIR/wal"
    local command="test ! -f '$wal/%f' && cp '%p' '$wal/%f.part' && mv '$wal/%f.part' '$wal/%f'"
    local mode level
    mode="$(sql "SHOW archive_mode")"
    level="$(sql "SHOW wal_level")"
    sql "ALTER SYSTEM SET archive_command = \$\$${command}\$\$"
    sql "ALTER SYSTEM SET archive_timeout = '60s'"
    if [ "$mode" != "on" ] || [ "$level" = "minimal" ]; then
        sql "ALTER SYSTEM SET wal_level = 'replica'"
        sql "ALTER SYSTEM SET archive_mode = 'on'"
        say "restarting PostgreSQL on port $PG_PORT to turn archiving on"
        as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -m fast restart -l "$PG_DIR/postgres.log" >/dev/null
    else
        sql "SELECT pg_reload_conf()" >/dev/null
    fi
    say "archiving WAL to $wal"
}

base() {
    prepare_dir
    [ "$(sql "SHOW archive_mode")" = "on" ] || { say "archiving is off: run Deploy/backup.sh enable first"; exit 1; }
    local stamp target
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    target="$BACKUP_DIR/base/$stamp"
    as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$target.part" -Ft -z -X fetch --checkpoint=fast -l "ap $stamp"
    mv "$target.part" "$target"
    date -u +%Y-%m-%dT%H:%M:%SZ > "$target/taken_at"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$target/taken_at"; fi
    say "base backup in $target"
    echo "$target"
}

switch() {
    local segment
    segment="$(sql "SELECT pg_walfile_name(pg_switch_wal())")"
    for _ in $(seq 1 300); do
        [ -f "$BACKUP_DIR/wal/$segment" ] && { say "archived $segment"; return 0; }
        sleep 0.1
    done
    say "WAL segment $segment was not archived within 30 s: see $PG_DIR/postgres.log"
    exit 1
}

status() {
    echo "base backups in $BACKUP_DIR/base:"
    for dir in "$BACKUP_DIR"/base/*/; do [ -f "$dir/taken_at" ] && echo "  $(basename "$dir")  taken $(cat "$dir/taken_at")"; done
    echo "archived WAL segments: $(find "$BACKUP_DIR/wal" -maxdepth 1 -type f ! -name '*.part' 2>/dev/null | wc -l)"
}

case "${1:-}" in
    enable) enable ;;
    base) base ;;
    switch) switch ;;
    status) status ;;
    *) echo "usage: $0 enable|base|switch|status" >&2; exit 2 ;;
esac
