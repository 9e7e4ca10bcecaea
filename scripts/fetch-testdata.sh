#!/usr/bin/env bash
# Fetches what the tests need from the npm registry into .cache/ (never committed):
# the official TwelveLabs SDK at the versions the conformance tests use, and the
# SDK's example media (example.mp4, search_sample.png, audio_sample.mp3).
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache
mkdir -p "$cache/media" "$cache/sdk"
for v in 1.3.4 1.3.1 1.2.0; do
  dir="$cache/sdk/$v"
  if [ ! -f "$dir/node_modules/twelvelabs-js/package.json" ]; then
    mkdir -p "$dir"
    (cd "$dir" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --silent "twelvelabs-js@$v" >/dev/null)
  fi
done
if [ ! -f "$cache/media/example.mp4" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent twelvelabs-js@1.3.4 >/dev/null && tar xzf twelvelabs-js-1.3.4.tgz)
  cp "$tmp"/package/examples/assets/* "$cache/media/"
  rm -rf "$tmp"
fi
# ONNX Runtime's shared library, from the npm package onnxruntime-node (the
# version github.com/yalue/onnxruntime_go v1.27.0 is built against), for the
# optional image-text model tests of engine/understand/onnx.
if [ ! -f "$cache/onnxruntime/libonnxruntime.so.1" ] && [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent onnxruntime-node@1.24.1 >/dev/null && tar xzf onnxruntime-node-1.24.1.tgz package/bin/napi-v6/linux/x64/libonnxruntime.so.1)
  mkdir -p "$cache/onnxruntime"
  cp "$tmp"/package/bin/napi-v6/linux/x64/libonnxruntime.so.1 "$cache/onnxruntime/"
  rm -rf "$tmp"
fi
