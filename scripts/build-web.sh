#!/usr/bin/env bash
# Builds the playground's three pages with the pinned tools, offline: trunk
# 0.21.14, wasm-bindgen-cli 0.2.130, and wasm-opt 132 from npm (binaryen@132.0.0,
# installed from web/e2e/package-lock.json).
#   dist/      the SQS playground (index.html; web/ without cargo features)
#   dist/sns/  the SNS playground (sns.html; web/ with the `sns` feature: SNS
#              topics and S3 buckets beside the queues SNS delivers to)
#   dist/kinesis/  the Kinesis playground (kinesis.html; web/ with the `kinesis`
#              feature: data streams, shards, records and resharding)
# One page per course chapter, so the SQS chapter does not download SNS, S3 or Kinesis.
# Asset URLs are relative, so each works under any sub-path and in an iframe,
# and dist/sns/ and dist/kinesis/ also work copied on their own.
# Expects `scripts/setup.sh rust js browser` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd web/e2e && npm ci --no-audit --no-fund --silent) || { echo "build-web: npm ci in web/e2e failed." >&2; exit 1; }
# wasm-opt 132 first on PATH (Debian's binaryen is too old for current wasm).
export PATH="$PWD/web/e2e/node_modules/.bin:$PATH"
# The SQS page first: trunk empties its dist directory, and dist/sns/ and dist/kinesis/ are inside it.
trunk build index.html --dist dist --release --public-url ./
trunk build sns.html --dist dist/sns --release --public-url ./
trunk build kinesis.html --dist dist/kinesis --release --public-url ./
for page in dist/index.html dist/sns/index.html dist/kinesis/index.html; do
  [ -s "$page" ] || { echo "build-web: $page was not written." >&2; exit 1; }
done
echo "build-web: dist/ (SQS playground), dist/sns/ (SNS playground) and dist/kinesis/ (Kinesis playground) are ready."
