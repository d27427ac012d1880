#!/usr/bin/env bash
# Prints the gzip size (level 9) of the built wasm, js and css, then their total: one line each,
# in the form `size <kind> <bytes> B gzip (<KiB> KiB)`.
set -euo pipefail
dist=${1:-dist}
total=0
for kind in wasm js css; do
  bytes=0
  shopt -s nullglob
  for f in "$dist"/*."$kind"; do
    bytes=$((bytes + $(gzip -9 -c "$f" | wc -c)))
  done
  total=$((total + bytes))
  printf 'size %-5s %8d B gzip (%.1f KiB)\n' "$kind" "$bytes" "$(awk -v b="$bytes" 'BEGIN { print b / 1024 }')"
done
printf 'size %-5s %8d B gzip (%.1f KiB)\n' total "$total" "$(awk -v b="$total" 'BEGIN { print b / 1024 }')"
