#!/usr/bin/env bash
# The three benchmarks end to end on a small national seed, so that a change that breaks one
# fails the test run: `ap db seed` (one year, 24 premises), then `ap db bench-reports`,
# `ap db bench` (matching, who is in, the breach pass, a booking with its e-mail, e-mail delivery
# to an SMTP server of its own, and sign-outs/sign-ins through the API beside pgbench) and
# `ap db bench-pages`, each printing its figures beside its baseline.
# The figures are printed, never asserted: this machine is shared and noisy, and the build is
# the debug one. Each benchmark still fails when it cannot run or when its answers and its
# baseline's differ. The README's figures come from the release build on the five-year seed.
#
# Needs a running PostgreSQL where `postgres` is a superuser (Deploy/local-postgres.sh) on
# AP_PG_PORT; makes a database of its own there and drops it afterwards.
#
#   AP            the ap executable (default: the debug build's)
#   AP_PG_PORT    the local PostgreSQL's port (default 54329)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${AP_PG_PORT:-54329}"
AP="${AP:-$(swift build --show-bin-path)/ap}"
DB="ap_bench_$$"
export PATH="/usr/lib/postgresql/15/bin:$PATH"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB"
trap 'psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
export DATABASE_URL="postgresql://postgres@127.0.0.1:${PORT}/${DB}"
export AP_BCRYPT_COST=4

started=$SECONDS
"$AP" db migrate >/dev/null
"$AP" db seed --scale national --years 1 --premises 24 --seed 1 2>/dev/null
echo "== ap db bench-reports"
"$AP" db bench-reports --years 1 --runs 3
echo "== ap db bench"
# E-mail is delivered to an SMTP server of the benchmark's own (Deploy/mail.sh), through msmtp.
export AP_SMTP_PORT="$(free_port)" AP_MAIL_DIR="$(mktemp -d /tmp/ap-bench-mail.XXXXXX)"
bash Deploy/mail.sh start
trap 'bash Deploy/mail.sh stop; rm -rf "$AP_MAIL_DIR"; psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
"$AP" db bench --runs 3 --clients 1,4,16 --seconds 2 --port "$(free_port)" --sendmail "$(bash Deploy/mail.sh sendmail)"
echo "== ap db bench-pages"
"$AP" db bench-pages --runs 3 --port "$(free_port)"
echo "benchmarks: all three ran, in $((SECONDS - started)) s"
