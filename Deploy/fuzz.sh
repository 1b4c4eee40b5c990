#!/usr/bin/env bash
# Fuzzes the API with schemathesis (PyPI 4.32.5, in a virtual environment under .local/) against
# a real `ap serve` over a fresh database with the demo data, once as an administrator, once
# as a residential worker and once as a probation practitioner (their calls only), with every check (`--checks all`, see Deploy/schemathesis.toml).
# Fails on any server error, any answer the document does not describe, any schema-valid
# request refused as malformed (400), a pass that lost its session, or fewer requests than
# AP_FUZZ_MIN_REQUESTS (2000). Needs the PostgreSQL of Deploy/local-postgres.sh running
# (AP_PG_PORT) and a built `ap`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.local/venv
if ! python3 -m venv --help >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv python3-pip curl
fi
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "4.32.5"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi

PG_URL="$(bash Deploy/local-postgres.sh url)"
FUZZ_DB=ap_fuzz
psql_admin() { runuser -u postgres -- psql -h 127.0.0.1 -p "$AP_PG_PORT" -d postgres -qAt "$@"; }
psql_admin -c "DROP DATABASE IF EXISTS $FUZZ_DB" >/dev/null
psql_admin -c "CREATE DATABASE $FUZZ_DB" >/dev/null
export DATABASE_URL="${PG_URL%/*}/$FUZZ_DB"
AP="$(swift build --show-bin-path)/ap"
"$AP" db migrate >/dev/null
"$AP" db demo >/dev/null

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
LOG="$(mktemp /tmp/ap-fuzz-serve.XXXXXX)"
"$AP" serve --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "$BASE/ready" >/dev/null 2>&1 && break
    sleep 0.2
done

# A demo account's token: the password and, for an account with a second factor, the demo's
# code of now (Deploy/demo-code.sh); each account signs in at most once a step here.
token() {
    local code
    code="$(bash Deploy/demo-code.sh | cut -c1-6)"
    curl -fs -X POST "$BASE/auth/sign-in" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"demo-password\",\"code\":\"$code\"}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
ADMIN="$(token admin)"
NIGHT="$(token night)"

total=0
status=0
# Three passes: everything as an administrator and as a residential worker, but the operations
# that end a member of staff's sessions (a change of role or deactivation, a new password, one's
# own password changed, sessions ended, a second factor reset) or slow their sign-in (a wrong
# current password counts as a wrong password), which the fuzzer would sooner or later aim at
# its own account, leaving the rest of the pass signed out; and the premises' second-factor
# setting, which would ask the residential worker's next sign-in for a code. Then those alone,
# as a third administrator's last pass. Signing out is left out for the same reason.
ENDERS=()
ONLY_ENDERS=()
for operation in updateStaff resetStaffPassword changePassword endMyOtherSessions endSession endStaffSessions resetSecondFactor \
    setPremisesSecondFactor; do
    ENDERS+=(--exclude-operation-id "$operation")
    ONLY_ENDERS+=(--include-operation-id "$operation")
done
# And a probation practitioner's pass over the calls that are theirs: drafts written section by
# section and submitted, their referrals and the decisions they may take.
PRACTITIONER=()
for operation in listReferralDrafts startReferralDraft getReferralDraft saveReferralDraftSection submitReferralDraft \
    discardReferralDraft listReferrals getReferral decideReferral getReferralProgress getReferralDepartureSummary getMe listReference; do
    PRACTITIONER+=(--include-operation-id "$operation")
done
for pass in admin night pp enders; do
    case "$pass" in
        admin) TOKEN="$ADMIN"; WHICH=("${ENDERS[@]}") ;;
        night) TOKEN="$NIGHT"; WHICH=("${ENDERS[@]}") ;;
        pp) TOKEN="$(token pp)"; WHICH=("${PRACTITIONER[@]}") ;;
        enders) TOKEN="$(token admin)"; WHICH=("${ONLY_ENDERS[@]}") ;;
    esac
    OUT="$(mktemp /tmp/ap-fuzz-$pass.XXXXXX)"
    set +e
    # One worker: schemathesis crashes with several under Python 3.11.
    "$VENV/bin/schemathesis" --config-file Deploy/schemathesis.toml run "$BASE/openapi.yaml" \
        -H "Authorization: Bearer $TOKEN" --checks all --exclude-operation-id signOut "${WHICH[@]}" \
        --max-examples "${AP_FUZZ_EXAMPLES:-15}" --workers 1 --seed 20261201 --no-color \
        --request-timeout 20 >"$OUT" 2>&1
    code=$?
    set -e
    tail -25 "$OUT"
    generated="$(grep -oE "[0-9]+ generated" "$OUT" | tail -1 | grep -oE "[0-9]+" || echo 0)"
    total=$((total + generated))
    if [ "$code" -ne 0 ]; then
        echo "fuzz ($pass): schemathesis found problems (exit $code); the whole report is in $OUT" >&2
        grep -E "^(_{3,}| *- |\[[0-9]{3}\])" "$OUT" | head -120 >&2 || true
        status=1
    fi
    # A pass that lost its session part-way tests little: the first three must keep theirs.
    if [ "$pass" != enders ] && grep -qE "^ *401 Unauthorized \([0-9]+ operations?\)" "$OUT"; then
        echo "fuzz ($pass): the session ended during the run, so most operations were answered 401; see $OUT" >&2
        grep -A6 -E "^ *401 Unauthorized \(" "$OUT" | head -12 >&2 || true
        status=1
    fi
done
if grep -q "Fatal error" "$LOG"; then
    echo "the service crashed under fuzzing; its log is in $LOG" >&2
    status=1
fi
min="${AP_FUZZ_MIN_REQUESTS:-2000}"
if [ "$total" -lt "$min" ]; then
    echo "fuzz: only $total requests were generated, fewer than $min" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
echo "fuzz: $total generated requests as an administrator, a residential worker and a probation practitioner: 0 server errors, 0 schema violations, 0 schema-valid requests refused"
