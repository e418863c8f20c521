#!/usr/bin/env bash
# Sets up and runs Decouple's main job. Until the playground lands, that is the
# example scenario: a queue, a crashing consumer, and the dead-letter queue,
# printed as the engine's event log.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh rust
cargo run --release -p decouple-engine --example scenario
