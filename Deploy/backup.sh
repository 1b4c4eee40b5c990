#!/usr/bin/env bash
# Backups of the cluster (Deploy/cluster.sh) with pgBackRest. Every WAL segment already goes to
# the repository as PostgreSQL closes it (archive_command, in Deploy/cluster/patroni.yml); these
# take the backups that a restore starts from. Deploy/restore.sh restores to a point in time.
#
#   Deploy/backup.sh full     a full backup, from the leader (then older backups past the
#                             retention in Deploy/cluster/pgbackrest.conf are expired)
#   Deploy/backup.sh diff     a differential backup: what changed since the last full one
#   Deploy/backup.sh incr     an incremental backup: what changed since the last backup of any kind
#   Deploy/backup.sh check    archiving works end to end: a WAL segment is switched and must arrive
#   Deploy/backup.sh verify   every file in the repository reads back as it was written
#   Deploy/backup.sh info     the backups held, and the WAL from the oldest on
#
# A schedule on real machines (cron or a systemd timer on the repository's host): a full backup
# weekly, a differential daily, `verify` weekly.
#
# Settings (environment): AP_CLUSTER_DIR, the cluster's folder (default .local/cluster), whose
# pgbackrest/pgbackrest.conf names the members and the repository.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${AP_CLUSTER_DIR:-$PROJECT_DIR/.local/cluster}"
CONF="$DIR/pgbackrest/pgbackrest.conf"

say() { echo "backup: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbackrest_ap() { as_owner pgbackrest --config="$CONF" --stanza=ap "$@"; }

[ -f "$CONF" ] || { say "no $CONF: bring the cluster up first (bash Deploy/cluster.sh up)"; exit 1; }
case "${1:-}" in
    full | diff | incr)
        pgbackrest_ap --type="$1" backup
        say "$1 backup taken: $(pgbackrest_ap --output=json info | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])')"
        ;;
    check) pgbackrest_ap check && say "archiving works: a WAL segment reached the repository" ;;
    verify) pgbackrest_ap verify && say "the repository verifies" ;;
    info) pgbackrest_ap info ;;
    *) echo "usage: $0 full|diff|incr|check|verify|info" >&2; exit 2 ;;
esac
