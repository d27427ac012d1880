#!/usr/bin/env bash
# Prints the gzip size (level 9) of the built site: first the files the page loads at once
# (those index.html names), by kind — wasm, js, css — and their total with index.html; then what
# loads later (the wasm's second part once the page is up; the editor's bundle and the lessons
# on first use), each file and their total. One line each, in the form
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
  name=$(basename "$f")
  grep -q "$name" "$dist/index.html" && continue
  bytes=$(gz "$f")
  printf 'size later %8d B gzip (%.1f KiB) %s\n' "$bytes" "$(awk -v b="$bytes" 'BEGIN { print b / 1024 }')" "$name"
  lazy=$((lazy + bytes))
done
line lazy "$lazy"
