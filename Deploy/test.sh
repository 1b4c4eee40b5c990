#!/usr/bin/env bash
# Runs every test against a throwaway PostgreSQL: installs what is missing (PostgreSQL 15,
# contrib, libpq-dev, pkg-config), checks the formatting (swift format lint), starts a private
# cluster on a free port, installs msmtp and aiosmtpd for the e-mail tests, builds, builds the documentation and the manual page with warnings as
# errors (Deploy/docs.sh) and installs them into a scratch folder (Deploy/install.sh), runs
# `swift test`, runs the benchmarks on a small seed (Deploy/bench.sh), fuzzes the API (Deploy/fuzz.sh), tests the web view in Chromium
# (Deploy/browser-test.sh), and removes the cluster. Fails if any database or browser test was
# skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash Deploy/local-postgres.sh install

# Unformatted code fails the run (format it with: swift format format -i -r Sources Tests Package.swift).
swift format lint --strict --recursive --parallel Sources Tests Package.swift
# etcd, Patroni, HAProxy, pgBackRest, nginx and openssl for the cluster and backup tests
# (Deploy/cluster.sh, ClusterTests, BackupTests).
bash Deploy/cluster.sh install
# msmtp (the sendmail interface) and aiosmtpd (a real SMTP server) for the e-mail tests.
bash Deploy/mail.sh install
export AP_MAIL_PYTHON="$PWD/.local/mailvenv/bin/python"
# The services the tests start hand no e-mail to the machine's own MTA, if it has one: the
# e-mail tests give theirs an SMTP server of their own (AP_SENDMAIL=off leaves messages waiting).
export AP_SENDMAIL=off

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

export AP_PG_DIR="$(mktemp -d /tmp/ap-test-postgres.XXXXXX)"
chmod 755 "$AP_PG_DIR"
export AP_PG_PORT="${AP_TEST_PG_PORT:-$(free_port)}"
export AP_PG_FSYNC=off
trap 'bash Deploy/local-postgres.sh destroy >/dev/null 2>&1 || true' EXIT
bash Deploy/local-postgres.sh start

export AP_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:${AP_PG_PORT}/postgres"
export AP_REQUIRE_DATABASE=1
export AP_BCRYPT_COST=4

# At most this many tests at once (Swift Testing otherwise starts all ~170 together): every
# one opening databases, services and `ap` processes at the same moment on two cores made
# sign-ins time out and connections miss libpq's 5-second connect timeout.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}"

swift build --build-tests

# The guides and the domain's symbol documentation (no broken link or symbol: warnings are
# errors), the manual page, and the release installed as the deployment recipe installs it.
bash Deploy/docs.sh
INSTALLED="$(mktemp -d /tmp/ap-install.XXXXXX)"
bash Deploy/install.sh --build-dir "$(swift build --show-bin-path)" --destdir "$INSTALLED"
grep -q '^\.Dt AP 1' "$INSTALLED/usr/local/share/man/man1/ap.1"
[ -f "$INSTALLED/usr/local/share/ap/docs/documentation/approvedpremises/nightshift/index.html" ]
expected="$(ls sql/*.sql | sort | tail -1 | xargs basename)"
"$INSTALLED/usr/local/bin/ap" --version | grep -F "(schema migration $expected)" \
    || { echo "ap --version does not name the last migration, $expected" >&2; exit 1; }
rm -rf "$INSTALLED"

LOG="$(mktemp /tmp/ap-test-log.XXXXXX)"
run_tests() {
    set +e
    swift test --skip-build "$@" 2>&1 | tee -a "$LOG"
    local status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "tests failed (exit $status)" >&2
        exit "$status"
    fi
}
# The suites that start clusters, services and nginx of their own and kill them under load
# run after the others, one at a time: beside the whole suite on two cores they starve the
# tests that sign in to a service in the test process, and their own figures (seconds to the
# first write after a failover) mean little.
SEPARATE='APServerTests\.(ClusterTests|BackupTests|FaultTests)'
if [ "$#" -gt 0 ]; then
    run_tests "$@"
else
    run_tests --skip "$SEPARATE"
    run_tests --filter "$SEPARATE" --no-parallel
fi
if grep -E "(Test|Suite) .* skipped" "$LOG" >/dev/null; then
    echo "some tests were skipped; with AP_REQUIRE_DATABASE=1 none may be:" >&2
    grep -E "(Test|Suite) .* skipped" "$LOG" >&2
    exit 1
fi
if ! grep -E "Test run with [0-9]+ tests? .*passed" "$LOG" >/dev/null; then
    echo "no Swift Testing summary found: did any test run?" >&2
    exit 1
fi
count="$(grep -oE "Test run with [0-9]+ tests?" "$LOG" | grep -oE "[0-9]+" | awk '{ n += $1 } END { print n }')"

# The three benchmarks end to end on a small national seed (Deploy/bench.sh): their figures
# are printed, not asserted, but a benchmark that no longer runs, or whose answers differ from
# its baseline's, fails the run.
bash Deploy/bench.sh

# The API fuzzed by schemathesis against the real service (Deploy/fuzz.sh).
bash Deploy/fuzz.sh

# The web view in a real browser, with axe on every page (Deploy/browser-test.sh); it fails,
# never skips, when the browser cannot run.
BROWSER_LOG="$(mktemp /tmp/ap-browser-log.XXXXXX)"
bash Deploy/browser-test.sh 2>&1 | tee "$BROWSER_LOG"
browser="$(grep -oE "browser tests: [0-9]+ passed, 0 failed" "$BROWSER_LOG" | grep -oE "[0-9]+ passed" || true)"
if [ -z "$browser" ]; then
    echo "the browser tests did not all pass" >&2
    exit 1
fi
echo "all tests passed against PostgreSQL on port ${AP_PG_PORT}"
echo "tests: ${count} passed, 0 failed; browser tests: ${browser}"
