#!/usr/bin/env bash
# The mail side of a machine for the demo and the tests: msmtp (Debian's; the sendmail interface
# the service hands its messages to) and a local SMTP server that keeps what it receives
# (aiosmtpd from PyPI, Deploy/tools/smtp-sink.py).
#
#   bash Deploy/mail.sh install          msmtp, and .local/mailvenv with aiosmtpd
#   bash Deploy/mail.sh start            the SMTP server on AP_SMTP_PORT (default 2525), keeping
#                                        each message as a file in AP_MAIL_DIR (default .local/mail),
#                                        and .local/msmtprc-PORT pointing msmtp at it
#   bash Deploy/mail.sh stop
#   bash Deploy/mail.sh sendmail         prints the AP_SENDMAIL that hands messages to it
#
# A real deployment configures msmtp to relay through the organisation's SMTP relay with TLS
# instead (Deploy/msmtprc.example, and the guide "E-mail: who is told what").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${AP_SMTP_PORT:-2525}"
FOLDER="${AP_MAIL_DIR:-$PWD/.local/mail}"
VENV="${AP_MAIL_VENV:-$PWD/.local/mailvenv}"
RC="$PWD/.local/msmtprc-$PORT"
PIDFILE="$PWD/.local/smtp-sink-$PORT.pid"
LOG="$PWD/.local/smtp-sink-$PORT.log"

install() {
    # Debian's python3 has the venv module without ensurepip until python3-venv is installed.
    if ! command -v msmtp >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        echo "installing msmtp and python3-venv (apt-get)..." >&2
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q msmtp python3-venv python3-pip >/dev/null
    fi
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "aiosmtpd==1.4.6"
    fi
}

start() {
    install
    mkdir -p .local "$FOLDER"
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        echo "the SMTP server is already running (pid $(cat "$PIDFILE"))" >&2
    else
        "$VENV/bin/python" Deploy/tools/smtp-sink.py --port "$PORT" --dir "$FOLDER" > "$LOG" 2>&1 &
        echo $! > "$PIDFILE"
        for _ in $(seq 50); do grep -q listening "$LOG" 2>/dev/null && break; sleep 0.1; done
        grep -q listening "$LOG" || { cat "$LOG" >&2; echo "the SMTP server did not start" >&2; exit 1; }
    fi
    printf 'defaults\nauth off\ntls off\ntimeout 30\naccount default\nhost 127.0.0.1\nport %s\nfrom no-reply@localhost\n' "$PORT" > "$RC"
    chmod 600 "$RC"
}

case "${1:-}" in
    install) install ;;
    start) start; echo "SMTP server on 127.0.0.1:$PORT keeping messages in $FOLDER" >&2 ;;
    stop) [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null; rm -f "$PIDFILE" ;;
    sendmail) echo "$(command -v msmtp) -C $RC -t -i" ;;
    *) echo "usage: $0 install|start|stop|sendmail" >&2; exit 2 ;;
esac
