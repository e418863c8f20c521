#!/usr/bin/env bash
# Builds the JS package for Node and for the browser:
#   crates/js/pkg-node  (wasm-bindgen --target nodejs: CommonJS, require() or import)
#   crates/js/pkg-web   (wasm-bindgen --target web: ES module, call init() first)
# each with the SDK request handler (handler.mjs, handler.cjs) and the SQS
# Extended Client helper (extended.mjs, extended.cjs).
# Needs the wasm32 target and wasm-bindgen-cli 0.2.130: `scripts/setup.sh rust js`.
# Usage: crates/js/build.sh        (release; outputs are git-ignored)
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --release --target wasm32-unknown-unknown -p decouple-js
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/decouple_js.wasm"

for target in nodejs web; do
  out=crates/js/pkg-${target/nodejs/node}
  rm -rf "$out"
  # Function names are for debuggers; the shipped wasm leaves them out (a third of its size).
  wasm-bindgen --target "$target" --remove-name-section --remove-producers-section --out-dir "$out" "$wasm"
  # No wasm-opt pass: measured with binaryen 132 -Oz it saves 10% raw but grows the gzipped file 10%.
  cp crates/js/js/handler.mjs "$out/handler.mjs"
  # The CommonJS copy: same code, CommonJS export.
  sed 's/^export { handler, startTicker, settle };$/module.exports = { handler, startTicker, settle };/' \
    crates/js/js/handler.mjs > "$out/handler.cjs"
  grep -q '^module.exports = ' "$out/handler.cjs" || { echo "build.sh: handler.mjs's export line changed; update the sed above" >&2; exit 1; }
  # The SQS Extended Client helper, in both module systems the same way.
  cp crates/js/js/extended.mjs "$out/extended.mjs"
  sed 's/^export { extendedClient, parsePointer, parseHandle };$/module.exports = { extendedClient, parsePointer, parseHandle };/' \
    crates/js/js/extended.mjs > "$out/extended.cjs"
  grep -q '^module.exports = ' "$out/extended.cjs" || { echo "build.sh: extended.mjs's export line changed; update the sed above" >&2; exit 1; }
done
# The nodejs output is CommonJS whatever package.json sits above it.
echo '{ "type": "commonjs", "main": "decouple_js.js" }' > crates/js/pkg-node/package.json
echo '{ "type": "module", "main": "decouple_js.js" }' > crates/js/pkg-web/package.json
wasm=crates/js/pkg-node/decouple_js_bg.wasm
echo "decouple_js_bg.wasm: $(wc -c < "$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) gzipped"
