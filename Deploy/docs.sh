#!/usr/bin/env bash
# Builds the documentation, failing on any warning:
# - the DocC catalog of Sources/ApprovedPremises (the guides, one per reader, and the domain
#   library's symbols) as a static site in .build/docs-site, for a web server at /docs;
# - the manual page of `ap` (swift-argument-parser's generate-manual) in .build/man/ap.1.
# Open the site with:  python3 -m http.server -d .build/docs-site 8000
#   then http://127.0.0.1:8000/docs/documentation/approvedpremises/
# Deploy/test.sh runs it, so a broken link in a guide or a symbol comment fails CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SITE=.build/docs-site
rm -rf "$SITE" .build/man
mkdir -p "$SITE" .build/man
swift package --allow-writing-to-directory "$SITE" generate-documentation \
    --target ApprovedPremises --warnings-as-errors \
    --transform-for-static-hosting --hosting-base-path docs --output-path "$SITE/docs"

swift package generate-manual --configuration debug --authors "ApprovedPremises" --date "$(date -u +%Y-%m-%d)"
cp .build/plugins/GenerateManual/outputs/ap/ap.1 .build/man/ap.1
echo "documentation: $SITE/docs (open /docs/documentation/approvedpremises/), manual page: .build/man/ap.1"
