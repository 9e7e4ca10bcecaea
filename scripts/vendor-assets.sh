#!/usr/bin/env bash
# Fetches the pinned front-end libraries from the npm registry and copies
# their minified builds into static/vendor/. The files are committed; run
# this only to move a pin. htmx 2.0.x must go with htmx-ext-sse 2.2.x (an
# unpinned install mixes htmx 4 with the 2.x extension).
set -euo pipefail
HTMX=2.0.8
HTMX_SSE=2.2.4
HLS=1.6.15

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

fetch() { # package@version
  (cd "$work" && npm pack --silent "$1" >/dev/null)
}
unpack() { # tarball dir
  mkdir -p "$work/$2" && tar -xzf "$work/$1" -C "$work/$2"
}

fetch "htmx.org@$HTMX";          unpack "htmx.org-$HTMX.tgz" htmx
fetch "htmx-ext-sse@$HTMX_SSE";  unpack "htmx-ext-sse-$HTMX_SSE.tgz" sse
fetch "hls.js@$HLS";             unpack "hls.js-$HLS.tgz" hls

cp "$work/htmx/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "$work/sse/package/dist/sse.min.js" "$out/htmx-ext-sse.js"
cp "$work/hls/package/dist/hls.min.js" "$out/hls.min.js"
cat > "$out/VERSIONS" <<V
htmx.org $HTMX
htmx-ext-sse $HTMX_SSE
hls.js $HLS
V
echo "vendored: htmx $HTMX, htmx-ext-sse $HTMX_SSE, hls.js $HLS -> $out"
