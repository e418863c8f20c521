#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, Rust tests, the engine's
# no_std wasm build, and (once present) the JS/SDK conformance and browser suites.
set -euo pipefail
cd "$(dirname "$0")/.."

# A test run from a clean checkout gains nothing from incremental caches, and
# they were most of its disk use; export CARGO_INCREMENTAL=1 to keep them.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
free_kib=$(df -Pk . | awk 'NR==2 {print $4}')
if [ "${free_kib:-0}" -lt $((6 * 1024 * 1024)) ]; then
  echo "test: warning: only $((free_kib / 1024)) MiB free on this disk; a clean run needs about 6 GiB (linkers fail with 'Bus error' when it runs out)." >&2
fi
scripts/setup.sh rust
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test"
cargo test --workspace
echo "==> engine builds for wasm32 with default features off, and with every service but no std"
cargo build -p decouple-engine --target wasm32-unknown-unknown --no-default-features
cargo build -p decouple-engine --target wasm32-unknown-unknown --no-default-features --features sns,s3,kinesis,firehose,analytics
echo "==> engine with S3 but not SNS (the Kinesis page's engine): topics are no notification destination"
cargo clippy -p decouple-engine --all-targets --no-default-features --features s3 -- -D warnings
cargo test -p decouple-engine --no-default-features --features s3,kinesis,firehose,analytics
echo "==> benchmarks compile"
cargo bench --workspace --no-run

# Further suites register themselves as executable scripts under scripts/suites/.
for suite in scripts/suites/*.sh; do
  [ -e "$suite" ] || continue
  echo "==> $suite"
  bash "$suite"
done
echo "All tests passed."
