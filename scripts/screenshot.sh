#!/usr/bin/env bash
# Renders a report page with headless Chromium, to see the page as a reader
# does (and to check that it renders at all): a PNG screenshot, or, when OUT
# ends in .pdf, the page printed to PDF on A4 (the page's print style: no
# navigation, table headers repeated, no chart or row cut across pages).
#
#   scripts/screenshot.sh [PAGE] [OUT.png|OUT.pdf] [WIDTHxHEIGHT]
#
# Defaults: reports/report.html, report-screenshot.png, 1280x4000.
# Needs Debian's `chromium` package (`apt-get install chromium`); the
# CHROMIUM variable names another binary. Runs offline: no network, no
# first-run or sync traffic, a throw-away profile.
set -euo pipefail

page="${1:-reports/report.html}"
out="${2:-report-screenshot.png}"
size="${3:-1280x4000}"
chromium="${CHROMIUM:-chromium}"

if ! command -v "$chromium" >/dev/null 2>&1; then
    echo "screenshot.sh: $chromium not found (apt-get install chromium)" >&2
    exit 1
fi
if [ ! -f "$page" ]; then
    echo "screenshot.sh: $page: no such file" >&2
    exit 1
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
case "$out" in
    *.pdf) what=(--no-pdf-header-footer --print-to-pdf="$out") ;;
    *) what=(--screenshot="$out" --window-size="${size/x/,}") ;;
esac
rm -f "$out"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    "${what[@]}" "$url" >/dev/null 2>&1 || true
if [ ! -s "$out" ]; then
    echo "screenshot.sh: chromium wrote nothing for $page" >&2
    exit 1
fi
echo "screenshot.sh: $out"
