#!/usr/bin/env bash
# Tests the web view in a real browser: Debian's Chromium driven by Playwright for Python
# (1.65.2, with executable_path; never `playwright install`) and axe-core through
# axe-playwright-python (0.1.8), against a real `ap serve` over a fresh database with the demo
# data. Installs what is missing; fails (never skips) when the browser cannot run. Needs the
# PostgreSQL of Deploy/local-postgres.sh running (AP_PG_PORT) and a built `ap`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
    # pdftotext (poppler-utils) reads back the boards printed to PDF.
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv python3-pip curl poppler-utils
fi
VENV=.local/webvenv
if ! "$VENV/bin/python" -c 'import importlib.metadata as m; assert m.version("playwright") == "1.65.2" and m.version("axe-playwright-python") == "0.1.8"' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "playwright==1.65.2" "axe-playwright-python==0.1.8"
fi

PG_URL="$(bash Deploy/local-postgres.sh url)"
WEB_DB=ap_browser
psql_admin() { runuser -u postgres -- psql -h 127.0.0.1 -p "$AP_PG_PORT" -d postgres -qAt "$@"; }
psql_admin -c "DROP DATABASE IF EXISTS $WEB_DB" >/dev/null
psql_admin -c "CREATE DATABASE $WEB_DB" >/dev/null
export DATABASE_URL="${PG_URL%/*}/$WEB_DB"
AP="$(swift build --show-bin-path)/ap"
# The guides the footer links to, served by ap serve at /docs (Deploy/docs.sh builds them).
[ -f .build/docs-site/docs/index.html ] || bash Deploy/docs.sh
export AP_DOCS_DIR="$PWD/.build/docs-site/docs"
"$AP" db migrate >/dev/null
"$AP" db demo >/dev/null

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
LOG="$(mktemp /tmp/ap-browser-serve.XXXXXX)"
"$AP" serve --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "$BASE/ready" >/dev/null 2>&1 && break
    sleep 0.2
done

set +e
"$VENV/bin/python" Tests/Browser/web_view_tests.py --base "$BASE" --chromium "$(command -v chromium)" "$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "browser tests failed; the service's log is in $LOG" >&2
    exit "$status"
fi
