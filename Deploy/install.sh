#!/usr/bin/env bash
# Installs a built release of the service on this machine, as the systemd unit expects it:
#   /usr/local/bin/ap                         the executable, with its resource folders beside it
#   /usr/local/share/ap/sql/                  the migrations (AP_SQL_DIR in the unit)
#   /usr/local/share/ap/docs/                 the guides, which `ap serve` serves at /docs
#   /usr/local/share/ap/msmtprc.example       msmtp relaying e-mail to the organisation's SMTP relay with TLS
#   /usr/local/share/man/man1/ap.1            the manual page (`man ap`)
#   /etc/systemd/system/ap.service            the unit (Deploy/systemd/ap.service)
# It starts nothing and writes no settings: put them in /etc/ap/ap.env (see the operator's
# guide), migrate (`ap db migrate`), then `systemctl daemon-reload && systemctl enable --now ap`.
#
#   swift build -c release --product ap && bash Deploy/docs.sh
#   bash Deploy/install.sh [--build-dir .build/release] [--destdir DIR]
# --destdir puts every path under DIR (for a package, or a test) instead of /.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=.build/release
DEST=""
while [ "$#" -gt 0 ]; do
    case "$1" in
        --build-dir) BUILD="$2"; shift 2 ;;
        --destdir) DEST="${2%/}"; shift 2 ;;
        *) echo "usage: bash Deploy/install.sh [--build-dir DIR] [--destdir DIR]" >&2; exit 2 ;;
    esac
done
for needed in "$BUILD/ap" "$BUILD/ApprovedPremises_APIContract.resources" "$BUILD/ApprovedPremises_WebView.resources"; do
    [ -e "$needed" ] || { echo "$needed is missing: build first (swift build -c release --product ap)" >&2; exit 1; }
done
[ -f .build/man/ap.1 ] && [ -f .build/docs-site/docs/index.html ] \
    || { echo "the manual page or the guides are missing: run bash Deploy/docs.sh first" >&2; exit 1; }

install -d "$DEST/usr/local/bin" "$DEST/usr/local/share/ap" "$DEST/usr/local/share/man/man1" "$DEST/etc/systemd/system"
install -m 0755 "$BUILD/ap" "$DEST/usr/local/bin/ap"
for resources in "$BUILD"/ApprovedPremises_*.resources; do
    rm -rf "$DEST/usr/local/bin/$(basename "$resources")"
    cp -R "$resources" "$DEST/usr/local/bin/"
done
rm -rf "$DEST/usr/local/share/ap/sql" "$DEST/usr/local/share/ap/docs"
cp -R sql "$DEST/usr/local/share/ap/sql"
cp -R .build/docs-site/docs "$DEST/usr/local/share/ap/docs"
install -m 0644 Deploy/msmtprc.example "$DEST/usr/local/share/ap/msmtprc.example"
install -m 0644 .build/man/ap.1 "$DEST/usr/local/share/man/man1/ap.1"
install -m 0644 Deploy/systemd/ap.service "$DEST/etc/systemd/system/ap.service"
echo "installed $("$DEST/usr/local/bin/ap" --version) under ${DEST:-/}"
