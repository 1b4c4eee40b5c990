#!/usr/bin/env bash
# The national topology on one machine, with PostgreSQL's own replication and standard tools:
# a primary and a hot standby (streaming replication from pg_basebackup -R, a replication slot,
# synchronous_standby_names so that an acknowledged commit is on both), two `ap serve` processes
# (DATABASE_URL lists both hosts with target_session_attrs=read-write; reports go to the standby),
# and nginx in front of them with TLS (a self-signed certificate made here), passive health
# checks, and a retry on the other instance of idempotent requests (GETs, and POSTs that carry an
# Idempotency-Key). It is also the recipe for real machines: the README says which lines change.
#
#   Deploy/cluster.sh install   install PostgreSQL 15, nginx and openssl if missing
#   Deploy/cluster.sh up        bring everything up (idempotent); prints where each part listens
#   Deploy/cluster.sh down      stop everything (the data stays)
#   Deploy/cluster.sh status    say what runs
#   Deploy/cluster.sh failover  promote the standby (after the primary died): the services follow
#                               it without a restart; the cluster then runs without a standby
#   Deploy/cluster.sh destroy   stop everything and delete the cluster's folder
#
# Settings (environment), all on 127.0.0.1:
#   AP_CLUSTER_DIR                    the cluster's folder (default .local/cluster)
#   AP_CLUSTER_PRIMARY_PORT / _STANDBY_PORT   PostgreSQL (default 55401 / 55402)
#   AP_CLUSTER_AP_PORTS               the two ap serve ports (default "18091 18092")
#   AP_CLUSTER_HTTPS_PORT             nginx's TLS port (default 8443)
#   AP_BIN                            the ap executable (default: the one `swift build` made)
#   AP_CLUSTER_ENV                    more NAME=value settings for both ap serve processes
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${AP_CLUSTER_DIR:-$PROJECT_DIR/.local/cluster}"
PRIMARY_PORT="${AP_CLUSTER_PRIMARY_PORT:-55401}"
STANDBY_PORT="${AP_CLUSTER_STANDBY_PORT:-55402}"
read -r -a AP_PORTS <<< "${AP_CLUSTER_AP_PORTS:-18091 18092}"
HTTPS_PORT="${AP_CLUSTER_HTTPS_PORT:-8443}"
PG_BIN="/usr/lib/postgresql/15/bin"
DB=approved_premises

say() { echo "cluster: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# A process in the pid file that is alive: a killed one is a zombie until PID 1 reaps it, and
# `kill -0` still succeeds on a zombie (on these machines PID 1 reaps every few seconds).
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$(cat "$1")/stat" 2>/dev/null; }
psql_at() { "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 -c "$2"; }
running() { [ -f "$1/data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }
ap_bin() {
    if [ -n "${AP_BIN:-}" ]; then echo "$AP_BIN"; else (cd "$PROJECT_DIR" && echo "$(swift build --show-bin-path)/ap"); fi
}

# Both hosts: libpq tries them in order and keeps the one that takes writes.
database_url() { echo "postgresql://postgres@127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT/$DB?target_session_attrs=read-write&connect_timeout=2"; }
# Reports: a standby if one is up, else whichever is left.
report_url() { echo "postgresql://postgres@127.0.0.1:$STANDBY_PORT,127.0.0.1:$PRIMARY_PORT/$DB?target_session_attrs=prefer-standby&connect_timeout=2"; }

install_packages() {
    bash "$PROJECT_DIR/Deploy/local-postgres.sh" install
    local missing=()
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    if [ "${#missing[@]}" -gt 0 ]; then
        [ "$(id -u)" = "0" ] || { say "missing packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"; exit 1; }
        say "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        # Debian's nginx package starts a server of its own on port 80 (policy-rc.d stops that).
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        rm -f /usr/sbin/policy-rc.d
    fi
}

# The primary: a cluster of local-postgres.sh's, made a replication primary.
primary_up() {
    AP_PG_DIR="$DIR/pg-primary" AP_PG_PORT="$PRIMARY_PORT" bash "$PROJECT_DIR/Deploy/local-postgres.sh" start 2>/dev/null
    if [ "$(psql_at "$PRIMARY_PORT" "SELECT pg_is_in_recovery()")" = "t" ]; then return 0; fi  # a promoted standby already
    if [ "$(psql_at "$PRIMARY_PORT" "SHOW synchronous_standby_names")" != "standby1" ] && [ ! -f "$DIR/failed-over" ]; then
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET wal_level = 'replica'"
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET max_wal_senders = 10"
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET max_replication_slots = 10"
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET hot_standby = 'on'"
        # No JIT compilation: the service turns it off on its own connections (its statements are
        # short and planned once, and PostgreSQL 15 spent about 2 s compiling each national
        # report for tens of milliseconds of running); off here too for psql, reports run by hand
        # and anything else on the cluster. The standby, a copy, has it from here.
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET jit = 'off'"
        # An acknowledged commit is on the standby's disk too (remote_apply: and visible there).
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET synchronous_standby_names = 'standby1'"
        psql_at "$PRIMARY_PORT" "ALTER SYSTEM SET synchronous_commit = 'on'"
        if ! grep -q "^host replication all 127.0.0.1/32" "$DIR/pg-primary/data/pg_hba.conf"; then
            echo "host replication all 127.0.0.1/32 trust" | as_owner tee -a "$DIR/pg-primary/data/pg_hba.conf" >/dev/null
        fi
        as_owner "$PG_BIN/pg_ctl" -D "$DIR/pg-primary/data" -w -m fast restart -l "$DIR/pg-primary/postgres.log" >/dev/null
    fi
    if [ -z "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'standby1'")" ] && [ ! -f "$DIR/failed-over" ]; then
        psql_at "$PRIMARY_PORT" "SELECT pg_create_physical_replication_slot('standby1')" >/dev/null
    fi
}

# The standby: a copy of the primary streaming from it through the slot.
standby_up() {
    local standby="$DIR/pg-standby"
    if [ ! -f "$standby/data/PG_VERSION" ]; then
        mkdir -p "$standby"; chmod 755 "$standby"
        if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$standby"; fi
        as_owner mkdir -p "$standby/socket"
        say "copying the primary into $standby/data (pg_basebackup -R)"
        as_owner "$PG_BIN/pg_basebackup" -d "host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=standby1" \
            -D "$standby/data" -R -S standby1 -X stream --checkpoint=fast
        printf "port = %s\nunix_socket_directories = '%s'\n" "$STANDBY_PORT" "$standby/socket" | as_owner tee -a "$standby/data/postgresql.auto.conf" >/dev/null
    fi
    if ! running "$standby"; then
        as_owner "$PG_BIN/pg_ctl" -D "$standby/data" -l "$standby/postgres.log" -w -t 60 -o "-p $STANDBY_PORT" start >/dev/null
    fi
}

certificate() {
    local tls="$DIR/tls"
    [ -f "$tls/cert.pem" ] && return 0
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/key.pem" -out "$tls/cert.pem" -days 825 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
    chmod 600 "$tls/key.pem"
}

ap_up() {
    local ap index=0
    ap="$(ap_bin)"
    [ -x "$ap" ] || { say "no ap at $ap: run the Quick start's first command (bash Deploy/demo.sh) or swift build first"; exit 1; }
    DATABASE_URL="$(database_url)" "$ap" db migrate >/dev/null
    for port in "${AP_PORTS[@]}"; do
        index=$((index + 1))
        local pidfile="$DIR/ap-$index.pid"
        if alive "$pidfile"; then continue; fi
        DATABASE_URL="$(database_url)" AP_REPORT_DATABASE_URL="$(report_url)" AP_HOST=127.0.0.1 AP_PORT="$port" \
            AP_PUBLIC_URL="https://127.0.0.1:$HTTPS_PORT" LOG_FORMAT=json \
            nohup env ${AP_CLUSTER_ENV:-} "$ap" serve >>"$DIR/ap-$index.log" 2>&1 &
        echo $! > "$pidfile"
    done
    for port in "${AP_PORTS[@]}"; do
        for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    done
}

nginx_up() {
    local conf="$DIR/nginx/nginx.conf" servers=""
    mkdir -p "$DIR/nginx/logs" "$DIR/nginx/tmp"
    for port in "${AP_PORTS[@]}"; do servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
    cat > "$conf" <<EOF
# Written by Deploy/cluster.sh. On real machines: the upstream servers are the service hosts,
# the certificate is a real one, and listen is the public address.
worker_processes 2;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log $DIR/nginx/logs/access.log;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    client_max_body_size 2m;

    # Passive health checks: a server that fails once is left out for 5 seconds.
    upstream ap {
$servers        keepalive 32;
    }

    # A POST carrying an Idempotency-Key is safe to send again (the service answers a retry
    # with the first answer), so it is retried on the other server like a GET; one without a key
    # is never retried.
    map "\$request_method:\$http_idempotency_key" \$keyed_post {
        "~^POST:.+" 1;
        default 0;
    }

    server {
        listen 127.0.0.1:$HTTPS_PORT ssl http2;
        ssl_certificate $DIR/tls/cert.pem;
        ssl_certificate_key $DIR/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto https;
        proxy_set_header X-Request-Id \$request_id;
        proxy_connect_timeout 2s;
        proxy_read_timeout 60s;
        # A service that cannot be reached (or answers 502/504) is left out and the request sent to
        # the other; a 503 is the service saying the database is not answering, which the other
        # would say too, so it is passed on (and does not mark the service down).
        proxy_next_upstream error timeout http_502 http_504;
        proxy_next_upstream_tries 2;
        proxy_next_upstream_timeout 15s;

        # Metrics are for the operator's Prometheus on the service's own address, never the public side.
        location = /metrics { return 404; }

        location / {
            error_page 418 = @keyed;
            if (\$keyed_post) { return 418; }
            proxy_pass http://ap;
        }
        location @keyed {
            proxy_pass http://ap;
            proxy_next_upstream error timeout http_502 http_504 non_idempotent;
        }
    }
}
EOF
    local nginx; nginx="$(command -v nginx || echo /usr/sbin/nginx)"
    "$nginx" -t -q -p "$DIR/nginx" -c "$conf"
    if alive "$DIR/nginx/nginx.pid"; then
        "$nginx" -p "$DIR/nginx" -c "$conf" -s reload 2>/dev/null
    else
        "$nginx" -p "$DIR/nginx" -c "$conf"
    fi
}

up() {
    install_packages
    mkdir -p "$DIR"; chmod 755 "$DIR"
    if [ -f "$DIR/failed-over" ]; then
        # The old primary is never started again as a primary: it would split the data. The
        # promoted standby carries on alone (rebuild a standby from it by hand; see the README).
        running "$DIR/pg-standby" || as_owner "$PG_BIN/pg_ctl" -D "$DIR/pg-standby/data" -l "$DIR/pg-standby/postgres.log" -w -t 60 start >/dev/null
    else
        primary_up
        standby_up
    fi
    certificate
    ap_up
    nginx_up
    status
    cat <<EOF

  https://127.0.0.1:$HTTPS_PORT/     nginx (TLS, certificate $DIR/tls/cert.pem): the web view and the API
  http://127.0.0.1:${AP_PORTS[0]}/ and :${AP_PORTS[1]}/   the two ap serve processes (/metrics is scraped here, never through nginx)
  DATABASE_URL=$(database_url)
  AP_REPORT_DATABASE_URL=$(report_url)
EOF
}

stop_pid() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; }

down() {
    [ -f "$DIR/nginx/nginx.pid" ] && { kill "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null || true; }
    local index=0
    for _ in "${AP_PORTS[@]}"; do index=$((index + 1)); stop_pid "$DIR/ap-$index.pid"; done
    for node in pg-standby pg-primary; do
        if running "$DIR/$node"; then as_owner "$PG_BIN/pg_ctl" -D "$DIR/$node/data" -m fast -w stop >/dev/null; fi
    done
    say "stopped (data kept in $DIR)"
}

status() {
    local role
    for node in "pg-primary:$PRIMARY_PORT" "pg-standby:$STANDBY_PORT"; do
        if running "$DIR/${node%%:*}"; then
            role="$(psql_at "${node##*:}" "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null || echo "?")"
            say "${node%%:*} on 127.0.0.1:${node##*:}: running, $role"
        else
            say "${node%%:*} on 127.0.0.1:${node##*:}: not running"
        fi
    done
    local index=0
    for port in "${AP_PORTS[@]}"; do
        index=$((index + 1))
        if curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then say "ap serve $index on 127.0.0.1:$port: ready"; else say "ap serve $index on 127.0.0.1:$port: not ready"; fi
    done
    if alive "$DIR/nginx/nginx.pid"; then
        say "nginx on https://127.0.0.1:$HTTPS_PORT: running"
    else
        say "nginx on https://127.0.0.1:$HTTPS_PORT: not running"
    fi
}

# The primary is gone: the standby becomes the primary. It no longer waits for a synchronous
# standby (there is none left), and the services' pools reconnect to it by themselves.
failover() {
    local standby="$DIR/pg-standby"
    running "$standby" || { say "the standby is not running: nothing to promote"; exit 1; }
    if running "$DIR/pg-primary" && [ "$(psql_at "$PRIMARY_PORT" "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; then
        say "the primary on $PRIMARY_PORT still runs: stop it first (two primaries would split the data)"; exit 1
    fi
    as_owner "$PG_BIN/pg_ctl" -D "$standby/data" -w promote >/dev/null
    psql_at "$STANDBY_PORT" "ALTER SYSTEM SET synchronous_standby_names = ''"
    psql_at "$STANDBY_PORT" "SELECT pg_reload_conf()" >/dev/null
    touch "$DIR/failed-over"
    say "promoted the standby on 127.0.0.1:$STANDBY_PORT: it is the primary now, with no standby"
}

case "${1:-}" in
    install) install_packages ;;
    up) up ;;
    down) down ;;
    status) status ;;
    failover) failover ;;
    destroy) down; rm -rf "$DIR"; say "removed $DIR" ;;
    *) echo "usage: $0 install|up|down|status|failover|destroy" >&2; exit 2 ;;
esac
