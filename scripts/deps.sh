#!/usr/bin/env bash
# Installs the Debian packages Glimpse needs, when missing.
#   scripts/deps.sh run    what the product needs to serve
#   scripts/deps.sh test   that, plus what the tests need (redis-server: package cluster)
#   scripts/deps.sh quality  what serves, plus what bench/quality builds its
#                            test videos from (photographs, voices, a font)
# As root (or with sudo) it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

run_pkgs=(ffmpeg pocketsphinx pocketsphinx-en-us tesseract-ocr tesseract-ocr-eng)
test_pkgs=(chromium pocketsphinx-testdata nodejs npm redis-server)
quality_pkgs=(mate-backgrounds flite fonts-dejavu-core)

want=("${run_pkgs[@]}")
case "${1:-run}" in
  run) ;;
  test) want+=("${test_pkgs[@]}") ;;
  quality) want+=("${quality_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh [run|test|quality]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from elsewhere than Debian; accept them on the PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "installing: ${missing[*]}"
  bash -c "$cmd"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "installing with sudo: ${missing[*]}"
  sudo bash -c "$cmd"
else
  echo "Glimpse needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:  $cmd" >&2
  exit 1
fi
