#!/usr/bin/env bash
# The playground: component tests (wasm-bindgen-test in headless Chromium),
# then the trunk build (offline, pinned tools) and the end-to-end tests in
# Debian's Chromium through playwright-core (web/e2e), which click through as
# a learner would and save screenshots under web/e2e/screenshots/.
# Exits non-zero if the build or any test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

# rust: the wasm32 target; js: wasm-bindgen-cli 0.2.130 (also the test runner) and node;
# browser: trunk, chromium and chromedriver.
scripts/setup.sh rust js browser
echo "==> web: component tests in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p decouple-web --test components
echo "==> web: trunk build"
scripts/build-web.sh
echo "==> web: end-to-end tests"
cd web/e2e
node --test --test-concurrency=1
