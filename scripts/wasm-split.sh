#!/usr/bin/env bash
# Trunk's post-build hook (release builds): optimizes the app's wasm with wasm-opt -Oz (Trunk's
# own wasm-opt step is off, data-wasm-opt="0", because the split needs the function names), then
# splits it with tools/wasmsplit into what the page needs to start (the functions named in
# app/split-profile.txt) and the rest, <stem>-<hash>_cold.wasm beside <stem>-<hash>_bg.wasm,
# which app/js/loader.js fetches once the page is up (or at once, synchronously, if a cold
# function is called before).
# HAKONIWA_SPLIT=instrument builds the module scripts/split-profile.mjs profiles instead;
# HAKONIWA_SPLIT=off keeps one module with its function names, for a browser's CPU profile
# (scripts/profile-browser.mjs).
# Prints one line: how many functions are cold and the two modules' sizes.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
dir=${TRUNK_STAGING_DIR:?}
root=${TRUNK_SOURCE_DIR:-.}
shopt -s nullglob
wasms=("$dir"/*_bg.wasm)
[ ${#wasms[@]} -eq 1 ] || { echo "wasm-split: expected one *_bg.wasm in $dir" >&2; exit 1; }
wasm=${wasms[0]}
js=${wasm%_bg.wasm}.js
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo build --quiet --release --manifest-path "$root/tools/wasmsplit/Cargo.toml"
# wasm-opt inlines a function with one caller whatever its size by default, which merged code
# the page needs at start with code it does not (every kubectl command into one 257 KB
# function): the split works on whole functions. Inlining only small ones took the first load
# from 1,029.0 to 950.1 KiB, with start times no slower (2026-11-27, same hour).
split="$root/tools/wasmsplit/target/release/wasmsplit"
"$root/node_modules/.bin/wasm-opt" -Oz -g --one-caller-inline-max-function-size 64 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --strip-producers "$wasm" -o "$tmp/opt.wasm"

if [ "${HAKONIWA_SPLIT:-}" = instrument ]; then
  "$split" instrument "$tmp/opt.wasm" "$wasm" "$dir/split-names.txt"
elif [ "${HAKONIWA_SPLIT:-}" = off ]; then
  cp "$tmp/opt.wasm" "$wasm"
else
  "$split" split "$tmp/opt.wasm" "$root/app/split-profile.txt" "$tmp/primary.wasm" "$tmp/cold.wasm"
  # Both parts are named after a hash of the two (Trunk's hash, taken before this hook, does not
  # change with the profile or the tools): a page never pairs a first part with another
  # build's second part, from a cache or across a deploy.
  hash=$(cat "$tmp/primary.wasm" "$tmp/cold.wasm" | sha256sum | cut -c1-16)
  stem=$(basename "${wasm%_bg.wasm}")
  rm "$wasm"
  mv "$tmp/primary.wasm" "$dir/${stem}-${hash}_bg.wasm"
  mv "$tmp/cold.wasm" "$dir/${stem}-${hash}_cold.wasm"
  grep -q "${stem}_bg\.wasm" "$dir/index.html" || { echo "wasm-split: index.html does not name ${stem}_bg.wasm" >&2; exit 1; }
  sed -i "s/${stem}_bg\.wasm/${stem}-${hash}_bg.wasm/g" "$dir/index.html"
fi

# The glue gives the module the loader's `hakoniwa-split` imports, and the loader the exports
# before the app's start runs (a cold function may be called from it).
node - "$js" <<'JS'
const fs = require('fs');
const file = process.argv[2];
let src = fs.readFileSync(file, 'utf8');
const edits = [
  [/("\.\/[\w-]+_bg\.js": import0,)/, '$1\n        "hakoniwa-split": globalThis.hakoniwaSplit,'],
  [/( *)wasm = instance\.exports;/, '$&\n$1globalThis.hakoniwaSplit?.attach(wasm);'],
];
for (const [pattern, replacement] of edits) {
  if (src.match(new RegExp(pattern, 'g'))?.length !== 1) throw new Error(`wasm-split: ${pattern} is not in ${file} exactly once`);
  src = src.replace(pattern, replacement);
}
fs.writeFileSync(file, src);
JS
