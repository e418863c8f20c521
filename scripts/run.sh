#!/usr/bin/env bash
# Sets up, builds and serves the Decouple playground on 127.0.0.1 (the URLs are
# printed; Ctrl-C stops it): the SQS page at http://127.0.0.1:8080/ and the SNS
# page (SNS topics, S3 buckets and SQS) at http://127.0.0.1:8080/sns/, and the
# Kinesis page (data streams, shards, records) at http://127.0.0.1:8080/kinesis/.
# PORT=… picks another port.
# The engine's example scenario (a queue, a crashing consumer and its
# dead-letter queue, printed as the event log) stays available as:
#   cargo run -p decouple-engine --example scenario
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh rust js browser
scripts/build-web.sh
exec node web/e2e/serve.mjs dist "${PORT:-8080}" /
