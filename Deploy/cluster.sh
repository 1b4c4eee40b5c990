#!/usr/bin/env bash
# The national topology on one machine, on the engines operators trust: three etcd members
# holding the leader key, three PostgreSQL 15 members under Patroni (synchronous mode: an
# acknowledged commit is on two members, and a failover promotes only that second member),
# HAProxy sending writes to whichever member Patroni says leads and reports to a replica,
# pgBackRest archiving every WAL segment and taking backups, two `ap serve` processes and nginx
# with TLS in front. Patroni fails over by itself; nobody runs a command when a member dies.
# The configuration is ours, in Deploy/cluster/ (one file per engine, read in a minute); this
# script fills in the folders and ports and starts the processes. It is also the recipe for
# three hosts: the operator's guide says which lines change.
#
#   Deploy/cluster.sh install     install PostgreSQL 15, etcd, Patroni, HAProxy, pgBackRest, nginx, openssl
#   Deploy/cluster.sh up          bring up whatever is not running (idempotent: it is also how a
#                                 member that died is started again); prints where each part listens
#   Deploy/cluster.sh down        stop everything (the data stays)
#   Deploy/cluster.sh status      say what runs, and each member's role (patronictl list)
#   Deploy/cluster.sh switchover  hand the leader's role to the synchronous replica (planned; no
#                                 acknowledged write is lost)
#   Deploy/cluster.sh destroy     stop everything and delete the cluster's folder
#
# Backups: Deploy/backup.sh (full, diff, incr, check, verify, info); restores: Deploy/restore.sh.
#
# Settings (environment), all on 127.0.0.1:
#   AP_CLUSTER_DIR                 the cluster's folder (default .local/cluster)
#   AP_CLUSTER_PG_PORTS            the three PostgreSQL members (default "55401 55402 55403")
#   AP_CLUSTER_REST_PORTS          their Patroni REST APIs (default "58008 58009 58010")
#   AP_CLUSTER_ETCD_PORTS          the three etcd members' client ports (default "52379 52381 52383")
#   AP_CLUSTER_ETCD_PEER_PORTS     and their peer ports (default "52380 52382 52384")
#   AP_CLUSTER_WRITE_PORT / _READ_PORT / _STATS_PORT   HAProxy (default 55400 / 55410 / 55420)
#   AP_CLUSTER_AP_PORTS            the two ap serve ports (default "18091 18092")
#   AP_CLUSTER_HTTPS_PORT          nginx's TLS port (default 8443)
#   AP_CLUSTER_REPO                pgBackRest's repository (default $AP_CLUSTER_DIR/backups)
#   AP_BIN                         the ap executable (default: the one `swift build` made)
#   AP_CLUSTER_ENV                 more NAME=value settings for both ap serve processes
#   AP_PG_FSYNC                    off for throwaway test clusters (default on)
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPLATES="$PROJECT_DIR/Deploy/cluster"
DIR="${AP_CLUSTER_DIR:-$PROJECT_DIR/.local/cluster}"
HOST=127.0.0.1
read -r -a PG_PORTS <<< "${AP_CLUSTER_PG_PORTS:-55401 55402 55403}"
read -r -a REST_PORTS <<< "${AP_CLUSTER_REST_PORTS:-58008 58009 58010}"
read -r -a ETCD_PORTS <<< "${AP_CLUSTER_ETCD_PORTS:-52379 52381 52383}"
read -r -a ETCD_PEER_PORTS <<< "${AP_CLUSTER_ETCD_PEER_PORTS:-52380 52382 52384}"
WRITE_PORT="${AP_CLUSTER_WRITE_PORT:-55400}"
READ_PORT="${AP_CLUSTER_READ_PORT:-55410}"
STATS_PORT="${AP_CLUSTER_STATS_PORT:-55420}"
read -r -a AP_PORTS <<< "${AP_CLUSTER_AP_PORTS:-18091 18092}"
HTTPS_PORT="${AP_CLUSTER_HTTPS_PORT:-8443}"
REPO="${AP_CLUSTER_REPO:-$DIR/backups}"
PGBACKREST_CONF="$DIR/pgbackrest/pgbackrest.conf"
PG_BIN="/usr/lib/postgresql/15/bin"
DB=approved_premises
MEMBERS=(pg1 pg2 pg3)

say() { echo "cluster: $*" >&2; }
as_owner() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# A process in the pid file that is alive (a killed one is a zombie until PID 1 reaps it, and
# `kill -0` still succeeds on a zombie).
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$(cat "$1")/stat" 2>/dev/null; }
psql_at() { "$PG_BIN/psql" -h "$HOST" -p "$1" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 -c "$2"; }
ap_bin() {
    if [ -n "${AP_BIN:-}" ]; then echo "$AP_BIN"; else (cd "$PROJECT_DIR" && echo "$(swift build --show-bin-path)/ap"); fi
}

# Writes: HAProxy's write port, which leads only to the leader (read-write, so that a connection
# made in the moment a leader steps down is refused and made again).
database_url() { echo "postgresql://postgres@$HOST:$WRITE_PORT/$DB?target_session_attrs=read-write&connect_timeout=2"; }
# Reports: a replica through the read port, else (no replica answering) the leader.
report_url() { echo "postgresql://postgres@$HOST:$READ_PORT,$HOST:$WRITE_PORT/$DB?connect_timeout=2"; }

install_packages() {
    bash "$PROJECT_DIR/Deploy/local-postgres.sh" install
    local missing=()
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
    command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
    command -v patroni >/dev/null 2>&1 || missing+=(patroni)
    # Patroni's etcd3 client is in its etcd module, which Debian's patroni only recommends.
    /usr/bin/python3 -c 'import etcd' >/dev/null 2>&1 || missing+=(python3-etcd)
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v pgbackrest >/dev/null 2>&1 || missing+=(pgbackrest)
    if [ "${#missing[@]}" -gt 0 ]; then
        [ "$(id -u)" = "0" ] || { say "missing packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"; exit 1; }
        say "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        # Debian's nginx, etcd-server and haproxy packages start servers of their own on the
        # standard ports; policy-rc.d stops that (these are started by this script).
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        rm -f /usr/sbin/policy-rc.d
    fi
}

# A template from Deploy/cluster/ with its @WORD@s filled in: fill TEMPLATE WORD=value ...
fill() {
    local text pair
    text="$(cat "$TEMPLATES/$1")"
    shift
    for pair in "$@"; do text="${text//@${pair%%=*}@/${pair#*=}}"; done
    printf '%s\n' "$text"
}

# A folder the postgres user owns (as root), made if missing.
owned_dir() {
    mkdir -p "$@"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$@"; fi
}

etcd_endpoints() { local p out=""; for p in "${ETCD_PORTS[@]}"; do out+="${out:+,}http://$HOST:$p"; done; echo "$out"; }

etcd_up() {
    local initial="" index
    for index in 0 1 2; do initial+="${initial:+,}e$((index + 1))=http://$HOST:${ETCD_PEER_PORTS[$index]}"; done
    for index in 0 1 2; do
        local name="e$((index + 1))" folder="$DIR/etcd"
        mkdir -p "$folder/$name"
        alive "$folder/$name.pid" && continue
        fill etcd.yml NAME="$name" DIR="$folder" HOST="$HOST" CLIENT_PORT="${ETCD_PORTS[$index]}" \
            PEER_PORT="${ETCD_PEER_PORTS[$index]}" INITIAL_CLUSTER="$initial" > "$folder/$name.yml"
        nohup etcd --config-file "$folder/$name.yml" >> "$folder/$name.log" 2>&1 &
        echo $! > "$folder/$name.pid"
    done
    # A quorum (two of three) answering is enough to go on.
    for _ in $(seq 1 150); do
        local healthy
        healthy="$(ETCDCTL_API=3 etcdctl --endpoints="$(etcd_endpoints)" --dial-timeout=1s endpoint health 2>&1 | grep -c 'is healthy' || true)"
        [ "$healthy" -ge 2 ] && return 0
        sleep 0.2
    done
    say "etcd has no quorum after 30 s: see $DIR/etcd/*.log"; exit 1
}

member_dir() { echo "$DIR/$1"; }

patroni_up() {
    local hosts="" index
    for index in 0 1 2; do hosts+="${hosts:+,}$HOST:${ETCD_PORTS[$index]}"; done
    for index in 0 1 2; do
        local name="${MEMBERS[$index]}" folder
        folder="$(member_dir "${MEMBERS[$index]}")"
        owned_dir "$folder"
        as_owner mkdir -p "$folder/socket"
        alive "$folder/patroni.pid" && continue
        fill patroni.yml NAME="$name" HOST="$HOST" REST_PORT="${REST_PORTS[$index]}" PG_PORT="${PG_PORTS[$index]}" \
            ETCD_HOSTS="$hosts" MEMBER_DIR="$folder" PGBACKREST_CONF="$PGBACKREST_CONF" FSYNC="${AP_PG_FSYNC:-on}" \
            | as_owner tee "$folder/patroni.yml" >/dev/null
        as_owner chmod 600 "$folder/patroni.yml"
        # setpriv runs Patroni as postgres in this very process (runuser would fork), so the pid
        # file holds Patroni's own pid.
        if [ "$(id -u)" = "0" ]; then
            HOME="$folder" nohup setpriv --reuid=postgres --regid=postgres --init-groups \
                patroni "$folder/patroni.yml" >> "$folder/patroni.log" 2>&1 &
        else
            HOME="$folder" nohup patroni "$folder/patroni.yml" >> "$folder/patroni.log" 2>&1 &
        fi
        echo $! > "$folder/patroni.pid"
    done
}

# The members as the first Patroni that answers tells them (its /cluster JSON: name, role, state, timeline).
members() {
    local port
    for port in "${REST_PORTS[@]}"; do
        curl -fsS --max-time 2 "http://$HOST:$port/cluster" 2>/dev/null && return 0
    done
    return 1
}
leader_port() {
    local index
    for index in 0 1 2; do
        if curl -fs --max-time 2 -o /dev/null "http://$HOST:${REST_PORTS[$index]}/primary"; then echo "${PG_PORTS[$index]}"; return 0; fi
    done
    return 1
}

# Wait until a leader takes writes and, when every member runs, a synchronous replica streams.
wait_for_cluster() {
    local want_sync=1 index
    for index in 0 1 2; do alive "$(member_dir "${MEMBERS[$index]}")/patroni.pid" || want_sync=0; done
    for _ in $(seq 1 600); do
        local cluster
        cluster="$(members || true)"
        local port
        # Patroni's /primary answers 200 as soon as it holds the leader key, which can be a moment
        # before its PostgreSQL has left recovery; pgBackRest's check needs the promotion done.
        if port="$(leader_port)" && [ "$(psql_at "$port" "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ] \
            && { [ "$want_sync" = 0 ] || grep -q '"sync_standby"' <<< "$cluster"; }; then
            if [ "$want_sync" = 0 ] || [ "$(grep -o '"state": *"\(running\|streaming\)"' <<< "$cluster" | wc -l)" -ge 3 ]; then
                return 0
            fi
        fi
        sleep 0.2
    done
    say "no leader with a synchronous replica after 120 s: see $DIR/pg*/patroni.log"; exit 1
}

pgbackrest_up() {
    owned_dir "$DIR/pgbackrest" "$DIR/pgbackrest/log" "$DIR/pgbackrest/lock" "$DIR/pgbackrest/spool" "$REPO"
    chmod 750 "$REPO"
    local lines="" index
    for index in 0 1 2; do
        local folder n=$((index + 1))
        folder="$(member_dir "${MEMBERS[$index]}")"
        lines+="pg$n-path=$folder/data"$'\n'"pg$n-port=${PG_PORTS[$index]}"$'\n'"pg$n-socket-path=$folder/socket"$'\n'
    done
    fill pgbackrest.conf REPO="$REPO" DIR="$DIR" MEMBERS="${lines%$'\n'}" | as_owner tee "$PGBACKREST_CONF" >/dev/null
}

# The repository's stanza, made once the first leader runs; then `check`: a WAL segment is
# switched and must arrive in the repository.
stanza_up() {
    if [ ! -d "$REPO/backup/ap" ]; then
        as_owner pgbackrest --config="$PGBACKREST_CONF" --stanza=ap stanza-create >/dev/null
        say "made pgBackRest's stanza ap in $REPO"
    fi
    # Right after a promotion the new timeline's history file may not be archived yet: three tries.
    local attempt
    for attempt in 1 2 3; do
        as_owner pgbackrest --config="$PGBACKREST_CONF" --stanza=ap check >/dev/null 2>&1 && return 0
        sleep 3
    done
    as_owner pgbackrest --config="$PGBACKREST_CONF" --stanza=ap check >/dev/null \
        || { say "pgbackrest check failed: see $DIR/pgbackrest/log"; exit 1; }
}

# The servers HAProxy's checks say are up on one side (write or read), from its statistics.
haproxy_up_servers() {
    curl -fs --max-time 2 "http://$HOST:$STATS_PORT/;csv" | awk -F, -v side="$1" '$1 == side && $2 != "FRONTEND" && $2 != "BACKEND" && $18 ~ /^UP/ { print $2 }'
}

haproxy_up() {
    local write="" read="" index
    mkdir -p "$DIR/haproxy"
    for index in 0 1 2; do
        local server="    server ${MEMBERS[$index]} $HOST:${PG_PORTS[$index]} check port ${REST_PORTS[$index]}"
        write+="$server"$'\n'; read+="$server"$'\n'
    done
    fill haproxy.cfg HOST="$HOST" WRITE_PORT="$WRITE_PORT" READ_PORT="$READ_PORT" STATS_PORT="$STATS_PORT" \
        WRITE_SERVERS="${write%$'\n'}" READ_SERVERS="${read%$'\n'}" > "$DIR/haproxy/haproxy.cfg.new"
    haproxy -c -q -f "$DIR/haproxy/haproxy.cfg.new"
    # A running HAProxy is reloaded only for a changed configuration: a new process starts with
    # every server up again until its checks say otherwise.
    if alive "$DIR/haproxy/haproxy.pid" && cmp -s "$DIR/haproxy/haproxy.cfg.new" "$DIR/haproxy/haproxy.cfg"; then
        rm "$DIR/haproxy/haproxy.cfg.new"
    else
        mv "$DIR/haproxy/haproxy.cfg.new" "$DIR/haproxy/haproxy.cfg"
        if alive "$DIR/haproxy/haproxy.pid"; then
            haproxy -D -f "$DIR/haproxy/haproxy.cfg" -p "$DIR/haproxy/haproxy.pid" -sf "$(cat "$DIR/haproxy/haproxy.pid")"
        else
            haproxy -D -f "$DIR/haproxy/haproxy.cfg" -p "$DIR/haproxy/haproxy.pid"
        fi
    fi
    # HAProxy starts with every server up and takes two failed checks to leave one out (one on
    # its way out shows as "UP 1/2" and still takes connections): wait until its write side has
    # exactly one (the leader) and that one takes writes.
    for _ in $(seq 1 100); do
        if [ "$(haproxy_up_servers write | wc -l)" = 1 ] && [ "$(psql_at "$WRITE_PORT" "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; then
            return 0
        fi
        sleep 0.1
    done
    say "HAProxy's write port $WRITE_PORT leads to no primary"; exit 1
}

database_up() {
    if [ -z "$(psql_at "$WRITE_PORT" "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
        psql_at "$WRITE_PORT" "CREATE DATABASE $DB"
        say "created database $DB"
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
    local began=$SECONDS
    install_packages
    mkdir -p "$DIR"; chmod 755 "$DIR"
    etcd_up
    pgbackrest_up
    patroni_up
    wait_for_cluster
    stanza_up
    haproxy_up
    database_up
    certificate
    ap_up
    nginx_up
    status
    say "up in $((SECONDS - began)) s"
    cat <<EOF

  https://127.0.0.1:$HTTPS_PORT/     nginx (TLS, certificate $DIR/tls/cert.pem): the web view and the API
  http://127.0.0.1:${AP_PORTS[0]}/ and :${AP_PORTS[1]}/   the two ap serve processes (/metrics is scraped here, never through nginx)
  postgresql://$HOST:$WRITE_PORT   HAProxy's write port (the leader); :$READ_PORT the read port (a replica); http://$HOST:$STATS_PORT/ its statistics
  http://$HOST:${REST_PORTS[0]}/ :${REST_PORTS[1]}/ :${REST_PORTS[2]}/   Patroni's REST APIs (/cluster, /metrics); PostgreSQL on :${PG_PORTS[0]} :${PG_PORTS[1]} :${PG_PORTS[2]}
  $(etcd_endpoints)   etcd
  $REPO   pgBackRest's repository (stanza ap; Deploy/backup.sh, Deploy/restore.sh)
  DATABASE_URL=$(database_url)
  AP_REPORT_DATABASE_URL=$(report_url)
EOF
}

stop_pid() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; }
# Stop a process and wait for it to be gone (killed if it is still there after 30 s).
stop_and_wait() {
    [ -f "$1" ] || return 0
    local pid; pid="$(cat "$1")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do alive "$1" || break; sleep 0.1; done
    if alive "$1"; then say "process $pid did not stop within 30 s: killed"; kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$1"
}

down() {
    [ -f "$DIR/nginx/nginx.pid" ] && { kill "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null || true; }
    local index=0 name
    for _ in "${AP_PORTS[@]}"; do index=$((index + 1)); stop_pid "$DIR/ap-$index.pid"; done
    stop_pid "$DIR/haproxy/haproxy.pid"
    # Patroni stops its PostgreSQL on SIGTERM (replicas first, so the leader's shutdown is clean).
    for name in "${MEMBERS[@]}"; do stop_and_wait "$(member_dir "$name")/patroni.pid"; done
    for name in "${MEMBERS[@]}"; do
        local data; data="$(member_dir "$name")/data"
        if [ -f "$data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null || as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null || true
        fi
    done
    for name in e1 e2 e3; do stop_and_wait "$DIR/etcd/$name.pid"; done
    say "stopped (data kept in $DIR)"
}

status() {
    local index name
    for index in 0 1 2; do
        name="e$((index + 1))"
        if alive "$DIR/etcd/$name.pid"; then say "etcd $name on $HOST:${ETCD_PORTS[$index]}: running"; else say "etcd $name on $HOST:${ETCD_PORTS[$index]}: not running"; fi
    done
    if [ -f "$(member_dir pg1)/patroni.yml" ]; then
        as_owner patronictl -c "$(member_dir pg1)/patroni.yml" list 2>/dev/null | sed 's/^/cluster: /' >&2 || say "patronictl: no answer from etcd"
    fi
    for index in 0 1 2; do
        name="${MEMBERS[$index]}"
        if alive "$(member_dir "$name")/patroni.pid"; then say "patroni $name (REST $HOST:${REST_PORTS[$index]}, PostgreSQL :${PG_PORTS[$index]}): running"
        else say "patroni $name (REST $HOST:${REST_PORTS[$index]}, PostgreSQL :${PG_PORTS[$index]}): not running"; fi
    done
    if alive "$DIR/haproxy/haproxy.pid"; then say "haproxy on $HOST:$WRITE_PORT (write) and :$READ_PORT (read): running"
    else say "haproxy on $HOST:$WRITE_PORT (write) and :$READ_PORT (read): not running"; fi
    index=0
    for port in "${AP_PORTS[@]}"; do
        index=$((index + 1))
        if curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then say "ap serve $index on 127.0.0.1:$port: ready"; else say "ap serve $index on 127.0.0.1:$port: not ready"; fi
    done
    if alive "$DIR/nginx/nginx.pid"; then say "nginx on https://127.0.0.1:$HTTPS_PORT: running"
    else say "nginx on https://127.0.0.1:$HTTPS_PORT: not running"; fi
}

# A planned change of leader: Patroni hands the role to the synchronous replica (which has every
# acknowledged commit), and the old leader follows it as a replica.
switchover() {
    local cluster leader candidate
    cluster="$(members)" || { say "no Patroni member answers"; exit 1; }
    leader="$(/usr/bin/python3 -c 'import json,sys; print(next(m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "leader"))' <<< "$cluster")"
    candidate="$(/usr/bin/python3 -c 'import json,sys; print(next(m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "sync_standby"))' <<< "$cluster")"
    say "switching over from $leader to $candidate"
    as_owner patronictl -c "$(member_dir pg1)/patroni.yml" switchover --leader "$leader" --candidate "$candidate" --force >&2
    for _ in $(seq 1 600); do
        cluster="$(members || true)"
        if /usr/bin/python3 -c 'import json,sys; c=json.load(sys.stdin); sys.exit(0 if any(m["name"]==sys.argv[1] and m["role"]=="leader" for m in c["members"]) else 1)' "$candidate" <<< "$cluster" 2>/dev/null; then
            wait_for_cluster
            say "$candidate leads; $leader follows it"
            return 0
        fi
        sleep 0.2
    done
    say "the switchover did not finish within 120 s"; exit 1
}

case "${1:-}" in
    install) install_packages ;;
    up) up ;;
    down) down ;;
    status) status ;;
    switchover) switchover ;;
    destroy) down; rm -rf "$DIR"; say "removed $DIR" ;;
    *) echo "usage: $0 install|up|down|status|switchover|destroy" >&2; exit 2 ;;
esac
