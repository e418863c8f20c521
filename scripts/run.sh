#!/usr/bin/env bash
# Sets up, builds and serves the Decouple playground on 127.0.0.1 (the URL is
# printed; Ctrl-C stops it). PORT=… picks another port.
# The engine's example scenario (a queue, a crashing consumer and its
# dead-letter queue, printed as the event log) stays available as:
#   cargo run -p decouple-engine --example scenario
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh rust js browser
scripts/build-web.sh
exec node web/e2e/serve.mjs dist "${PORT:-8080}" /
