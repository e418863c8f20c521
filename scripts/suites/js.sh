#!/usr/bin/env bash
# The JS package and its conformance suite: builds crates/js for Node and the
# web, then drives the engine with the real AWS SDK for JavaScript v3
# (@aws-sdk/client-sqs, client-sns, client-s3, client-kinesis and client-firehose, pinned in
# crates/js/test/package-lock.json) through
# Decouple's in-process request handler, in Node and (bundled with esbuild) in
# a Chromium page. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

# rust: the wasm32 target; js: wasm-bindgen-cli 0.2.130, node and npm;
# browser: Debian's Chromium, for the test that runs the SDK in a page.
scripts/setup.sh rust js browser
crates/js/build.sh
cd crates/js/test
npm ci --no-audit --no-fund
# The SDK warns that its 2027 releases will need Node 22; that is not a test result.
# Test files are named explicitly: a bare --test would also run browser/entry.mjs and the bundle.
node --disable-warning=NodeVersionSupportWarning --test ./*.test.mjs
