#!/usr/bin/env bash
# How long `ap` takes for its own work, on top of the network round trips it makes.
#
# Against a running service with the demo data (bash Deploy/demo.sh), it times `ap tonight`
# (which asks who you are, who is in, and what handovers wait: three requests) and, in the same
# run, curl making the same three requests over one connection: the baseline. It prints both,
# their difference (ap's own work: starting, reading its config, decoding, printing) and ratio.
#
#   AP_SERVER   the service (default http://127.0.0.1:8080)
#   AP_BIN      the ap executable (default: the one swift build made)
#   RUNS        runs of each (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVER="${AP_SERVER:-http://127.0.0.1:8080}"
AP="${AP_BIN:-$(swift build --show-bin-path)/ap}"
RUNS="${RUNS:-30}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export AP_CONFIG="$WORK/config.json"

echo demo-password | "$AP" login night --server "$SERVER" > /dev/null
TOKEN="$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"night","password":"demo-password"}' "$SERVER/auth/sign-in" \
    | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')"
PREMISES="$(curl -sf -H "Authorization: Bearer $TOKEN" "$SERVER/me" | sed -n 's/.*"premisesId" *: *"\([^"]*\)".*/\1/p')"
[ -n "$TOKEN" ] && [ -n "$PREMISES" ] || { echo "cannot sign in as the demo's night worker at $SERVER: is bash Deploy/demo.sh running?" >&2; exit 1; }

now_ns() { date +%s%N; }
time_runs() {  # prints the mean milliseconds of RUNS runs of "$@"
    "$@" > /dev/null  # warm up
    local start end
    start=$(now_ns)
    for _ in $(seq "$RUNS"); do "$@" > /dev/null; done
    end=$(now_ns)
    echo $(( (end - start) / RUNS / 1000 ))  # microseconds
}
baseline() {
    curl -sf -H "Authorization: Bearer $TOKEN" -o /dev/null "$SERVER/me" \
        -o /dev/null "$SERVER/premises/$PREMISES/tonight" -o /dev/null "$SERVER/premises/$PREMISES/handovers/pending"
}

AP_US=$(time_runs "$AP" tonight)
CURL_US=$(time_runs baseline)
awk -v ap="$AP_US" -v curl="$CURL_US" -v runs="$RUNS" 'BEGIN {
    printf "ap tonight                      %6.1f ms a run (%d runs)\n", ap / 1000, runs
    printf "curl, the same three requests   %6.1f ms a run (baseline)\n", curl / 1000
    printf "ap'\''s own work                  %6.1f ms   ratio %.2f\n", (ap - curl) / 1000, ap / curl
}'
