#!/usr/bin/env bash
# Builds the playground into dist/ with the pinned tools, offline: trunk
# 0.21.14, wasm-bindgen-cli 0.2.130, and wasm-opt 132 from npm (binaryen@132.0.0,
# installed from web/e2e/package-lock.json). Asset URLs are relative, so dist/
# works under any sub-path and in an iframe.
# Expects `scripts/setup.sh rust js browser` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd web/e2e && npm ci --no-audit --no-fund --silent) || { echo "build-web: npm ci in web/e2e failed." >&2; exit 1; }
# wasm-opt 132 first on PATH (Debian's binaryen is too old for current wasm).
export PATH="$PWD/web/e2e/node_modules/.bin:$PATH"
trunk build --release --public-url ./
