#!/usr/bin/env bash
# Prints the gzip size (level 9) of the built site: first the files the page loads at once
# (those index.html names), by kind — wasm, js, css — and their total with index.html; then what
# loads later, on first use (the editor's bundle, the lessons). One line each, in the form
# `size <kind> <bytes> B gzip (<KiB> KiB)`.
set -euo pipefail
dist=${1:-dist}
gz() { gzip -9 -c "$1" | wc -c; }
line() { printf 'size %-5s %8d B gzip (%.1f KiB)\n' "$1" "$2" "$(awk -v b="$2" 'BEGIN { print b / 1024 }')"; }
total=$(gz "$dist/index.html")
shopt -s nullglob
for kind in wasm js css; do
  bytes=0
  for f in "$dist"/*."$kind"; do
    grep -q "$(basename "$f")" "$dist/index.html" || continue
    bytes=$((bytes + $(gz "$f")))
  done
  total=$((total + bytes))
  line "$kind" "$bytes"
done
line total "$total"
lazy=0
for f in "$dist"/*.js "$dist"/*.wasm "$dist"/*.css "$dist"/*.json; do
  grep -q "$(basename "$f")" "$dist/index.html" && continue
  lazy=$((lazy + $(gz "$f")))
done
line lazy "$lazy"
