#!/usr/bin/env bash
# The playground, all three pages: the SQS page (web/ without features → dist/),
# the SNS page (web/ with the `sns` feature → dist/sns/) and the Kinesis page
# (web/ with the `kinesis` feature → dist/kinesis/). Component tests
# (wasm-bindgen-test in headless Chromium) for each build, lints of each for
# wasm32 and the `sns` and `kinesis` builds' native lints and unit tests
# (scripts/test.sh checks the default build natively), then the
# trunk build of the pages (offline, pinned tools) and the end-to-end tests in
# Debian's Chromium through playwright-core (web/e2e), which click through as
# a learner would and save screenshots under web/e2e/screenshots/.
# Exits non-zero if the build or any test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

# rust: the wasm32 target; js: wasm-bindgen-cli 0.2.130 (also the test runner) and node;
# browser: trunk, chromium and chromedriver.
scripts/setup.sh rust js browser
echo "==> web: lints of the three builds for wasm32, the sns and kinesis builds' native lints and unit tests"
cargo clippy -p decouple-web --all-targets --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p decouple-web --all-targets --target wasm32-unknown-unknown --features sns -- -D warnings
cargo clippy -p decouple-web --all-targets --target wasm32-unknown-unknown --features kinesis -- -D warnings
cargo clippy -p decouple-web --all-targets --features sns -- -D warnings
cargo clippy -p decouple-web --all-targets --features kinesis -- -D warnings
cargo test -p decouple-web --features sns
cargo test -p decouple-web --features kinesis
echo "==> web: component tests in headless Chromium (SQS page, SNS page, Kinesis page)"
for features in "" "--features sns" "--features kinesis"; do
  # shellcheck disable=SC2086 # $features is empty or one flag and its value
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --target wasm32-unknown-unknown -p decouple-web --test components $features
done
echo "==> web: trunk build (dist/, dist/sns/ and dist/kinesis/)"
scripts/build-web.sh
echo "==> web: end-to-end tests"
cd web/e2e
node --test --test-concurrency=1
