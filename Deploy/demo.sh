#!/usr/bin/env bash
# Starts everything on this machine: installs PostgreSQL if missing, starts a local cluster
# (Deploy/local-postgres.sh), builds `ap`, migrates, loads a small demo AP with one account for
# each role, and serves the API and the web view, its e-mail going to a local SMTP server that keeps
# each message in .local/mail. Stop it with Ctrl-C; the database and the SMTP server keep running
# (stop them with `bash Deploy/local-postgres.sh stop` and `bash Deploy/mail.sh stop`).
#
#   AP_HOST / AP_PORT   where the service listens (default 127.0.0.1:8080)
#   AP_PG_PORT          the local PostgreSQL's port (default 54329)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash Deploy/local-postgres.sh start
export DATABASE_URL="$(bash Deploy/local-postgres.sh url)"

echo "building ap (the first build takes a few minutes)..." >&2
mkdir -p .local
if ! swift build --product ap > .local/build.log 2>&1; then
    cat .local/build.log >&2
    echo "the build failed; its output is above and in .local/build.log" >&2
    exit 1
fi
AP="$(swift build --show-bin-path)/ap"

"$AP" db migrate
"$AP" db demo

# The demo's logs are checkpointed like a real service's: a signing key of its own and a
# checkpoint folder beside the database (a real one belongs on other storage: see the README's
# Tamper evidence). The service signs every chain at start, every 15 minutes and at each handover.
export AP_SIGNING_KEY_FILE="${AP_SIGNING_KEY_FILE:-$PWD/.local/demo-signing.key}"
export AP_CHECKPOINT_DIR="${AP_CHECKPOINT_DIR:-$PWD/.local/checkpoints}"
# The witness: a second folder every checkpoint also goes to (a real one is on storage this
# machine's root cannot rewrite); `ap verify --witness .local/witness` holds the logs to it.
export AP_CHECKPOINT_WITNESS_DIR="${AP_CHECKPOINT_WITNESS_DIR:-$PWD/.local/witness}"
[ -f "$AP_SIGNING_KEY_FILE" ] || "$AP" db keygen "$AP_SIGNING_KEY_FILE" >/dev/null

# E-mail: a local SMTP server keeps every message the service sends, one file each, in
# .local/mail (Deploy/mail.sh); msmtp hands them to it. A real deployment relays through the
# organisation's SMTP server instead (the guide "E-mail: who is told what").
bash Deploy/mail.sh start
export AP_SENDMAIL="${AP_SENDMAIL:-$(bash Deploy/mail.sh sendmail)}"
MAIL_DIR="${AP_MAIL_DIR:-$PWD/.local/mail}"

HOST="${AP_HOST:-127.0.0.1}"
PORT="${AP_PORT:-8080}"
cat <<MESSAGE

ApprovedPremises is starting at http://$HOST:$PORT   (API: http://$HOST:$PORT/openapi.yaml)
Database: $DATABASE_URL
Checkpoints of the logs: $AP_CHECKPOINT_DIR (signed with $AP_SIGNING_KEY_FILE), witnessed in $AP_CHECKPOINT_WITNESS_DIR
E-mail the service sends: $MAIL_DIR (one file per message; ls -t it, or: ap notifications list as admin)

Web view: open http://$HOST:$PORT/ in a browser and sign in (password: demo-password) as
  manager    the AP manager of Elm House: its today page, bed board, placements and forms
  night      a residential worker there (no manager actions offered)
  admin      every premises (other.manager: Oak Lodge's manager, refused at Elm House)
Every account but night and keyworker then asks for a second factor's code. The demo's accounts
share one authenticator secret, DEMOAPDEMOAPDEMOAPDEMOAPDEMOAP22 (add it to an authenticator
app as a time-based key), or print the code of now with: bash Deploy/demo-code.sh

Try it in another terminal:
  $AP login night --server http://$HOST:$PORT     (password: demo-password)
  $AP whoami
  $AP verify --premises DEMO-ELM                 (as manager: the logs, held to their checkpoints)
  $AP breaches                                    (escalate one: ap breaches escalate ... --pp; then ls $MAIL_DIR)

MESSAGE
exec "$AP" serve --host "$HOST" --port "$PORT"
